import { Backoff } from "../durable-core/index.js";
import { describeError, formatLog, writeFormattedLog, writeLog } from "../observability/index.js";
import { byteLength } from "../outbox/index.js";
import type { Subscription } from "../subscription/index.js";

/**
 * Bodies written to D1 in one batch. A dead-letter batch may hold 100 messages of up to 128 KB
 * (12.8 MB); one D1 batch is one request and one transaction, so it is split to hold at most this
 * many bytes of bodies (eight full-size messages, or a hundred small ones in a single write).
 */
export const MAX_PARKED_BYTES_PER_BATCH = 1024 * 1024;
/**
 * From this attempt on, a message whose body D1 will not take is parked without it: a compact,
 * quarantined row an operator sees in the dead-letter listing, and the full body in the Worker's
 * logs as one JSON line (`"event":"dead_letter_body_not_stored"`). The dead-letter consumers'
 * `max_retries` (10 in wrangler.toml) must stay above it, so the compact row gets attempts of its own.
 */
export const PARK_LAST_RESORT_ATTEMPT = 5;
/**
 * Bytes of last-resort log lines one invocation writes. Workers Logs keeps 256 KB of log events
 * per invocation and drops the rest; this fits one full-size (128 KB) body with room for other
 * lines. A body past the budget is not logged but retried, to be logged by a later invocation;
 * the dead-letter consumers take one message per batch (`max_batch_size = 1`), so it rarely binds.
 * https://developers.cloudflare.com/changelog/2025-04-07-increase-trace-events-limit
 */
export const MAX_LOGGED_BODY_BYTES_PER_INVOCATION = 192 * 1024;
/** Backoff between attempts to park: 15 s, 30 s, 60 s, … capped at 5 minutes (a D1 outage, not a race). */
const PARK_BACKOFF = new Backoff({ baseMs: 15_000, maxMs: 300_000 });

/**
 * Consumes a subscriber's dead-letter queue: every parked message is written to D1 with the last
 * error its stream met, where operators can see it, and acked only once written. Writes are split
 * by size; a failed write is retried per message, and from {@link PARK_LAST_RESORT_ATTEMPT} on a
 * message whose body still cannot be written is parked without it (its body logged in full), so
 * no message leaves the dead-letter queue without a trace an operator can find.
 */
export async function parkDeadLetters(subscriber: Subscription, batch: MessageBatch<unknown>, db: D1Database): Promise<void> {
  const parking: Parking = { db, subscriber: subscriber.name, now: new Date().toISOString(), log: { left: MAX_LOGGED_BODY_BYTES_PER_INVOCATION } };
  for (const group of withinParkBudget(batch.messages)) {
    try {
      await db.batch(group.map((p) => insertParked(parking, p)));
      for (const p of group) p.message.ack();
      continue;
    } catch (error) {
      if (group.length === 1) {
        await parkingFailed(parking, group[0]!, error);
        continue;
      }
    }
    // One message D1 refuses must not hold back the others of its group: write each on its own.
    for (const parked of group) {
      try {
        await insertParked(parking, parked).run();
        parked.message.ack();
      } catch (error) {
        await parkingFailed(parking, parked, error);
      }
    }
  }
}

/** One invocation's parking of a subscriber's dead letters. */
interface Parking {
  readonly db: D1Database;
  readonly subscriber: string;
  /** When the invocation parks them (ISO-8601). */
  readonly now: string;
  /** Bytes of last-resort log lines the invocation may still write. */
  readonly log: { left: number };
}

/** A dead letter with its body as text, measured once. */
interface Parked {
  readonly message: Message<unknown>;
  readonly body: string;
  readonly streamId: string | null;
  readonly version: number | null;
}

function withinParkBudget(messages: readonly Message<unknown>[]): Parked[][] {
  const groups: Parked[][] = [];
  let current: Parked[] = [];
  let bytes = 0;
  for (const message of messages) {
    const envelope = message.body as { streamId?: unknown; version?: unknown } | null;
    const parked: Parked = {
      message,
      // A body JSON cannot express (undefined) is stored as null rather than failing every attempt.
      body: JSON.stringify(message.body) ?? "null",
      streamId: typeof envelope?.streamId === "string" ? envelope.streamId : null,
      version: typeof envelope?.version === "number" ? envelope.version : null,
    };
    const size = byteLength(parked.body);
    if (current.length > 0 && bytes + size > MAX_PARKED_BYTES_PER_BATCH) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(parked);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function insertParked({ db, subscriber, now }: Parking, parked: Parked): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO dead_letters (message_id, projection, stream_id, version, body, error, parked_at)
       VALUES (?1, ?2, ?3, ?4, ?5, (SELECT error FROM projection_errors WHERE projection = ?2 AND stream_id = ?3), ?6)
       ON CONFLICT (message_id) DO NOTHING`,
    )
    .bind(parked.message.id, subscriber, parked.streamId, parked.version, parked.body, now);
}

/** Retries with backoff, or once attempts run short, parks the message without its body. */
async function parkingFailed({ db, subscriber, now, log }: Parking, parked: Parked, error: unknown): Promise<void> {
  const { message } = parked;
  const delaySeconds = PARK_BACKOFF.delaySeconds(message.attempts);
  const reason = describeError(error);
  const about = { subscriber, messageId: message.id, attempts: message.attempts, delaySeconds };
  if (message.attempts < PARK_LAST_RESORT_ATTEMPT) {
    writeLog("error", {
      event: "dead-letters.park-failed",
      msg: `${subscriber}: could not park dead letter ${message.id} (attempt ${message.attempts}), retrying in ${delaySeconds} s: ${reason}`,
      ...about,
      error: reason,
    });
    message.retry({ delaySeconds });
    return;
  }
  const line = formatLog("error", {
    event: "dead_letter_body_not_stored",
    msg: `${subscriber}: the body of dead letter ${message.id} could not be stored (attempt ${message.attempts}); it is on this line`,
    subscriber,
    messageId: message.id,
    streamId: parked.streamId,
    version: parked.version,
    attempts: message.attempts,
    error: reason,
    body: message.body,
  });
  const lineBytes = byteLength(line.text);
  if (lineBytes > log.left) {
    writeLog("error", {
      event: "dead-letters.log-budget-spent",
      msg: `${subscriber}: dead letter ${message.id} could not be parked and this invocation's log budget is spent; retrying in ${delaySeconds} s`,
      ...about,
    });
    message.retry({ delaySeconds });
    return;
  }
  // The log line comes first: if the compact row fails too, it is what the operator has left.
  log.left -= lineBytes;
  writeFormattedLog(line);
  try {
    await db
      .prepare(
        `INSERT INTO dead_letters (message_id, projection, stream_id, version, body, error, parked_at, quarantined_at, quarantine_reason)
         VALUES (?1, ?2, ?3, ?4, '', (SELECT error FROM projection_errors WHERE projection = ?2 AND stream_id = ?3), ?5, ?5, ?6)
         ON CONFLICT (message_id) DO NOTHING`,
      )
      .bind(
        message.id,
        subscriber,
        parked.streamId,
        parked.version,
        now,
        `the body (${byteLength(parked.body)} bytes) could not be stored after ${message.attempts} attempts (${reason.slice(0, 500)}); ` +
          `it is in the Worker's logs as dead_letter_body_not_stored with this message id`,
      )
      .run();
    message.ack();
  } catch (compactError) {
    const text = describeError(compactError);
    writeLog("error", {
      event: "dead-letters.quarantine-failed",
      msg: `${subscriber}: could not park dead letter ${message.id} even without its body, retrying in ${delaySeconds} s: ${text}`,
      ...about,
      error: text,
    });
    message.retry({ delaySeconds });
  }
}
