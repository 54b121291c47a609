/** The Durable Object namespace every aggregate instance lives in when the application names none. */
export const DEFAULT_AGGREGATES_BINDING = "AGGREGATES";
/** The Durable Object namespace stateful process-manager instances live in when the application names none. */
export const DEFAULT_PROCESS_MANAGERS_BINDING = "PROCESS_MANAGERS";
/** The D1 binding a projection, process manager or publisher writes to when its definition names none. */
export const DEFAULT_READ_DATABASE = "READ_DB";

/** The class a project exports for the aggregates (`export class AggregateObject extends runtime.AggregateObject {}`). */
export const AGGREGATE_OBJECT_CLASS = "AggregateObject";
/** The class a project exports for stateful process-manager instances (`export class ProcessManagerObject extends runtime.ProcessManagerObject {}`). */
export const PROCESS_MANAGER_OBJECT_CLASS = "ProcessManagerObject";

/**
 * The queue every aggregate's outbox also feeds, so every stream reaches the catalog, followed or
 * not. The runtime consumes it itself; its name and producer binding are fixed so `edge-cqrs check`
 * and every Worker agree on them without configuration.
 */
export const STREAM_CATALOG_QUEUE = "stream-catalog";
/** The producer binding of {@link STREAM_CATALOG_QUEUE}. */
export const STREAM_CATALOG_BINDING = "STREAM_CATALOG_QUEUE";

/** The secrets the default bearer authentication reads: `api` guards commands and queries, `admin` the admin API. */
export const DEFAULT_TOKEN_SECRETS = { api: "API_TOKEN", admin: "ADMIN_TOKEN" } as const;
