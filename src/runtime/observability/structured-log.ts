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
  writeFormattedLog(formatLog(level, fields));
}

/** A line as {@link writeLog} writes it, made ahead for a caller that must know its size first (a log budget). */
export interface FormattedLog {
  readonly level: LogLevel;
  readonly text: string;
}

/** Makes the line {@link writeLog} would write, without writing it. */
export function formatLog(level: LogLevel, fields: LogFields): FormattedLog {
  // Undefined fields drop out of the JSON: an absent field means "not known".
  return { level, text: JSON.stringify({ level, ...fields }) };
}

/** Writes a line {@link formatLog} made. */
export function writeFormattedLog({ level, text }: FormattedLog): void {
  if (level === "error") console.error(text);
  else if (level === "warn") console.warn(text);
  else console.log(text);
}

/**
 * Whether info lines about these traces are written under a sample rate (0 to 1): decided by the
 * trace id, random by construction, so a kept trace keeps every line (its command and the batches
 * that applied its events) and a dropped one drops them all. A line about several traces is kept
 * when any of them is. A line that names none is kept at the same rate, by chance.
 */
export function keptBySampling(sampleRate: number, traceIds: readonly (string | undefined)[]): boolean {
  if (sampleRate >= 1) return true;
  if (sampleRate <= 0) return false;
  const known = traceIds.filter((id): id is string => id !== undefined && /^[0-9a-f]{8}/.test(id));
  if (known.length === 0) return Math.random() < sampleRate;
  return known.some((id) => Number.parseInt(id.slice(0, 8), 16) / 2 ** 32 < sampleRate);
}

/** An error as one line of text: name and message, never a stack (which a log line does not need twice). */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
