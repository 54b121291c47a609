export { EnvChecks } from "./env-checks.js";
export { RebuildMemory } from "./rebuild-memory.js";
export { RuntimeContext, type RuntimeContextOptions } from "./runtime-context.js";
