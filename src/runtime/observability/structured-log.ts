/** How much a line matters; Workers Logs filters on it. */
export type LogLevel = "info" | "warn" | "error";

/** The fields every structured line starts with; the rest are the event's own. */
export interface LogFields {
  /** A stable name for the kind of line (`command`, `projector.batch`, …): what queries filter on. */
  readonly event: string;
  /** One human sentence for the line, for reading a tail; never parsed. */
  readonly msg: string;
  readonly [field: string]: unknown;
}

/**
 * Writes one JSON object per line. Workers Logs indexes the fields of a JSON line, so each can be
 * filtered and grouped on (https://developers.cloudflare.com/workers/observability/logs/workers-logs/);
 * `wrangler tail` and `wrangler dev` print the same line. The console method follows the level, so
 * the platform's own level matches the `level` field.
 */
export function writeLog(level: LogLevel, fields: LogFields): void {
  // Undefined fields drop out of the JSON: an absent field means "not known".
  const line = JSON.stringify({ level, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** An error as one line of text: name and message, never a stack (which a log line does not need twice). */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
