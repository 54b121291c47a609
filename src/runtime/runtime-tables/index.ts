export { ensureRuntimeTables, RUNTIME_TABLES_VERSION } from "./runtime-tables";
