/**
 * How long the command log keeps a command's answer: the idempotency guarantee. A command
 * repeated with the same `Idempotency-Key` within 30 days of the first is answered from the log,
 * never run twice. 30 days outlasts every redelivery: a queue keeps a message at most 14 days
 * (its longest retention) however many retries and delays it is given, the outbox parks an event
 * after about 20 minutes, and a process manager re-issues a command only when its event is
 * redelivered, so its deterministic command id always comes back well inside the window.
 */
export const COMMAND_LOG_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** Commands pruned per alarm: one alarm stays a short, bounded write however large the backlog. */
export const COMMAND_LOG_PRUNE_ROWS = 1000;

/** When a prune left more to do, the next alarm comes this soon. */
export const COMMAND_LOG_PRUNE_AGAIN_MS = 1000;

/** The instant before which commands have left the window, as the log's ISO-8601 timestamps. */
export const pruneCutoff = (now: number): string => new Date(now - COMMAND_LOG_RETENTION_MS).toISOString();

/** When the oldest command leaves the window. */
export const pruneDueAt = (oldestRecordedAt: string): number => Date.parse(oldestRecordedAt) + COMMAND_LOG_RETENTION_MS;
