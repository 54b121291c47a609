export { ensureRuntimeTables, runtimeDatabase, RUNTIME_TABLES_VERSION } from "./runtime-tables.js";
