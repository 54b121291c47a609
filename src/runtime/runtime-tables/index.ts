export { migrateRuntimeTables, RUNTIME_TABLES_VERSION, RuntimeTables } from "./runtime-tables.js";
