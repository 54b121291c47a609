import { EventEnvelopeSchema, type EventEnvelope } from "../envelope/index.js";
import { byteLength, MAX_BATCH_MESSAGES, sendBatches } from "../outbox/index.js";

/** Queues refuse a message over 128 KB: such an envelope can never be sent back, so it is quarantined. */
export const MAX_QUEUE_MESSAGE_BYTES = 128 * 1024;
/**
 * Work one replay request may do, so it answers in bounded time and subrequests: at most this many
 * pages of {@link MAX_BATCH_MESSAGES} rows read and this many `sendBatch` calls (each followed by
 * one delete). With the count below that is ≤ 41 subrequests, inside the Workers Free plan's 50,
 * and at most 1,000 messages or ~2.4 MB sent per request; the answer says how many are left.
 */
export const MAX_REPLAY_PAGES_PER_REQUEST = 10;
export const MAX_REPLAY_SENDS_PER_REQUEST = 10;

/** What one replay request did, and what is left for the next. */
export interface ReplayOutcome {
  /** Messages sent back to the subscriber's queue and deleted from D1. */
  readonly replayed: number;
  /** Rows this request set aside because they can never be sent as they are. */
  readonly quarantined: number;
  /** Rows still waiting to be replayed (quarantined rows are not counted). */
  readonly remaining: number;
}

type Row = { message_id: string; body: string };
type Sendable = { messageId: string; envelope: EventEnvelope; bytes: number };
type Unsendable = { messageId: string; reason: string };

/**
 * Sends a subscriber's parked messages back to its queue, oldest first, where the usual checkpoint
 * rules apply (an event already applied is skipped, a missing one is healed from its aggregate).
 * Each `sendBatch` respects the queue's count and byte limits and its rows are deleted as soon as
 * it is accepted; a crash in between replays those messages twice, which the checkpoints absorb.
 * A row that can never be sent is quarantined, so it cannot block the rows behind it.
 */
export async function replayDeadLetters(db: D1Database, subscriber: string, queue: Queue): Promise<ReplayOutcome> {
  let replayed = 0;
  let quarantined = 0;
  let sends = 0;
  for (let page = 0; page < MAX_REPLAY_PAGES_PER_REQUEST && sends < MAX_REPLAY_SENDS_PER_REQUEST; page++) {
    const rows = await oldestReplayable(db, subscriber);
    const { sendable, unsendable } = sortOut(rows);
    if (unsendable.length > 0) await quarantine(db, unsendable);
    quarantined += unsendable.length;
    for (const chunk of sendBatches(sendable)) {
      if (sends === MAX_REPLAY_SENDS_PER_REQUEST) break;
      await queue.sendBatch(chunk.map((s) => ({ body: s.envelope, contentType: "json" as const })));
      sends++;
      await db
        .prepare("DELETE FROM dead_letters WHERE message_id IN (SELECT value FROM json_each(?))")
        .bind(JSON.stringify(chunk.map((s) => s.messageId)))
        .run();
      replayed += chunk.length;
    }
    if (rows.length < MAX_BATCH_MESSAGES) break;
  }
  return { replayed, quarantined, remaining: await countReplayable(db, subscriber) };
}

function oldestReplayable(db: D1Database, subscriber: string): Promise<Row[]> {
  return db
    .prepare(
      `SELECT message_id, body FROM dead_letters WHERE projection = ? AND quarantined_at IS NULL
       ORDER BY parked_at, message_id LIMIT ?`,
    )
    .bind(subscriber, MAX_BATCH_MESSAGES)
    .all<Row>()
    .then((r) => r.results);
}

async function countReplayable(db: D1Database, subscriber: string): Promise<number> {
  const row = await db.prepare("SELECT COUNT(*) AS n FROM dead_letters WHERE projection = ? AND quarantined_at IS NULL").bind(subscriber).first<{ n: number }>();
  return row?.n ?? 0;
}

/** Splits rows into envelopes that can be sent and rows that never can, with the reason why. */
function sortOut(rows: readonly Row[]): { sendable: Sendable[]; unsendable: Unsendable[] } {
  const sendable: Sendable[] = [];
  const unsendable: Unsendable[] = [];
  for (const row of rows) {
    const json = parseJson(row.body);
    if (!json.ok) {
      unsendable.push({ messageId: row.message_id, reason: "the parked body is not JSON" });
      continue;
    }
    const parsed = EventEnvelopeSchema.safeParse(json.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      unsendable.push({ messageId: row.message_id, reason: `the parked body is not an event envelope (${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"})` });
      continue;
    }
    const bytes = byteLength(JSON.stringify(parsed.data));
    if (bytes > MAX_QUEUE_MESSAGE_BYTES) {
      unsendable.push({ messageId: row.message_id, reason: `the envelope is ${bytes} bytes, over a queue message's ${MAX_QUEUE_MESSAGE_BYTES}` });
      continue;
    }
    sendable.push({ messageId: row.message_id, envelope: parsed.data, bytes });
  }
  return { sendable, unsendable };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}


async function quarantine(db: D1Database, rows: readonly Unsendable[]): Promise<void> {
  const now = new Date().toISOString();
  await db.batch(
    rows.map((r) => db.prepare("UPDATE dead_letters SET quarantined_at = ?, quarantine_reason = ? WHERE message_id = ?").bind(now, r.reason, r.messageId)),
  );
}
