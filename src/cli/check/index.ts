export { checkCommand } from "./check-command.js";
export { checkProject, type ProjectSnapshot } from "./check-project.js";
export { DEFAULT_MIGRATIONS_DIR } from "./d1-checks.js";
export { DEFAULT_AGGREGATE_CLASS } from "./durable-object-checks.js";
export { block, renderFix } from "./fix-block.js";
export type { ConfigEntry, ConfigSection, Fix, Problem, ProblemCode, Severity } from "./problem.js";
export { SUGGESTED_CONSUMER_SETTINGS, SUGGESTED_DEAD_LETTER_RETRIES } from "./consumer-checks.js";
export { RUNTIME_SECRETS } from "./secret-checks.js";
export { STREAM_CATALOG_BINDING, STREAM_CATALOG_CONSUMER, STREAM_CATALOG_QUEUE, SUGGESTED_SWEEP_CRON } from "./stream-catalog-checks.js";
