import type { Metrics } from "./metrics.js";
import { describeError, writeLog } from "./structured-log.js";

/** Which stream's outbox, and which queue it failed to reach. */
export interface OutboxSend {
  readonly aggregate: string;
  readonly streamId: string;
  readonly queue: string;
}

/** A send to a queue that failed, to report. */
export interface OutboxRetry {
  readonly metrics: Metrics;
  readonly send: OutboxSend;
  /** Failed sends in a row, this one included. */
  readonly attempts: number;
  /** When the outbox tries again. */
  readonly delayMs: number;
  readonly error: unknown;
}

/** An event the outbox gave up sending to one queue, to report. */
export interface OutboxParking {
  readonly metrics: Metrics;
  readonly send: OutboxSend;
  readonly version: number;
  readonly attempts: number;
  /** The last send's error. */
  readonly error: string;
}

/** A failed `sendBatch`: one `outbox.retry` warning line and data point; the outbox retries from its alarm. */
export function reportOutboxRetry({ metrics, send, attempts, delayMs, error }: OutboxRetry): void {
  const text = describeError(error);
  writeLog("warn", {
    event: "outbox.retry",
    msg: `${send.streamId}: send to queue ${send.queue} failed (attempt ${attempts}), retrying in ${delayMs} ms: ${text}`,
    ...send,
    attempts,
    delayMs,
    error: text,
  });
  metrics.outbox({ ...send, action: "retry", attempts, delayMs });
}

/** An event the outbox gave up sending to one queue: one `outbox.parked` error line and data point. */
export function reportOutboxParked({ metrics, send, version, attempts, error }: OutboxParking): void {
  writeLog("error", {
    event: "outbox.parked",
    msg: `${send.streamId}: parked version ${version} for queue ${send.queue} after ${attempts} failed sends: ${error}`,
    ...send,
    version,
    attempts,
    error,
  });
  metrics.outbox({ ...send, action: "parked", attempts, delayMs: 0 });
}
