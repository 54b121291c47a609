import type { AggregateClient } from "../aggregate-client/index.js";
import type { CommittedCheckpoints } from "../consistency/index.js";
import { Backoff } from "../durable-core/index.js";
import { EventEnvelopeSchema, type EventEnvelope } from "../envelope/index.js";
import { writeLog } from "../observability/index.js";
import type { Subscription } from "../subscription/index.js";
import type { CatchUpBudget } from "./catch-up.js";
import { readCheckpoints } from "./checkpoints.js";

/**
 * A long catch-up (a new projection, a stream that was parked) is applied in transactions of at
 * most this many events, each moving the checkpoint by itself, so no single D1 batch grows with a
 * stream's length and a failure keeps the progress made before it.
 */
export const MAX_EVENTS_PER_TRANSACTION = 100;

/** One stream's share of a message batch, with what it takes to bring the subscriber up to date. */
export interface StreamWork {
  readonly streamId: string;
  readonly aggregate: string;
  readonly aggregateId: string;
  readonly messages: Message<unknown>[];
  /** The subscriber's checkpoint when the batch was read. */
  readonly checkpoint: number;
  /** The highest version any message of this stream carries. */
  readonly target: number;
  /** The envelope at {@link target}: what goes back to the queue when a catch-up continues later. */
  readonly latest: EventEnvelope;
  /** Versions from `checkpoint+1`, contiguous and in order; filled by {@link healGaps}, up to `target` unless its budget ran out. */
  events: EventEnvelope[];
}

/** What healing a gap needs of a stream's work: a queue batch's, or a rebuild job's. */
export type GapWork = Pick<StreamWork, "streamId" | "aggregate" | "aggregateId" | "checkpoint" | "target" | "events">;

/** A batch to split into per-stream work. */
export interface StreamPlan {
  readonly db: D1Database;
  readonly subscriber: Subscription;
  readonly messages: readonly Message<unknown>[];
  /** The checkpoints this runtime committed, to plan from instead of D1; left out, every checkpoint is read. */
  readonly committed?: CommittedCheckpoints | undefined;
}

/**
 * Splits a batch into per-stream work; messages that are not envelopes are returned apart. Given
 * `committed`, a checkpoint this runtime committed is taken from its memory instead of D1, and
 * the stream is listed in `fromMemory`: the caller must be ready for it to be stale (the
 * checkpoint guard of its write aborts the batch then). Only the others are read, none at all
 * when every one is remembered.
 */
export async function planStreamWork({
  db,
  subscriber,
  messages,
  committed,
}: StreamPlan): Promise<{ work: StreamWork[]; malformed: Message<unknown>[]; foreign: Message<unknown>[]; fromMemory: ReadonlySet<string> }> {
  type Entry = { envelopes: Map<number, EventEnvelope>; messages: Message<unknown>[]; aggregate: string; aggregateId: string };
  const byStream = new Map<string, Entry>();
  const malformed: Message<unknown>[] = [];
  const foreign: Message<unknown>[] = [];
  for (const message of messages) {
    const parsed = EventEnvelopeSchema.safeParse(message.body);
    if (!parsed.success) {
      malformed.push(message);
      continue;
    }
    const envelope = parsed.data;
    if (!subscriber.aggregates.includes(envelope.aggregate)) {
      foreign.push(message);
      continue;
    }
    const entry: Entry = byStream.get(envelope.streamId) ?? { envelopes: new Map(), messages: [], aggregate: envelope.aggregate, aggregateId: envelope.aggregateId };
    entry.envelopes.set(envelope.version, envelope);
    entry.messages.push(message);
    byStream.set(envelope.streamId, entry);
  }
  const known = new Map<string, number>();
  for (const streamId of byStream.keys()) {
    const version = committed?.version(subscriber.database, subscriber.name, streamId);
    if (version !== undefined) known.set(streamId, version);
  }
  const unknown = [...byStream.keys()].filter((id) => !known.has(id));
  const checkpoints = unknown.length > 0 ? new Map([...(await readCheckpoints(db, subscriber.name, unknown)), ...known]) : known;
  const work = [...byStream].map(([streamId, entry]): StreamWork => {
    const checkpoint = checkpoints.get(streamId) ?? 0;
    const target = Math.max(...entry.envelopes.keys());
    const events: EventEnvelope[] = [];
    for (let v = checkpoint + 1; v <= target; v++) {
      const envelope = entry.envelopes.get(v);
      if (!envelope) break;
      events.push(envelope);
    }
    const latest = entry.envelopes.get(target)!;
    return { streamId, aggregate: entry.aggregate, aggregateId: entry.aggregateId, messages: entry.messages, checkpoint, target, latest, events };
  });
  return { work, malformed, foreign, fromMemory: new Set(known.keys()) };
}

/**
 * Queues do not order messages, so a stream's next message may not have arrived yet. Rather
 * than wait for it, read the missing versions from the aggregate's object, which is the source
 * of truth, and apply everything in order. At most what `budget` grants is read: a longer gap is
 * left for a later invocation (see {@link settleCaughtUp}), so `events` may end before `target`.
 */
export async function healGaps(work: GapWork, aggregates: AggregateClient, budget: CatchUpBudget): Promise<void> {
  const from = work.checkpoint + work.events.length + 1;
  if (from > work.target) return;
  const granted = budget.take(work.target - from + 1);
  if (granted === 0) return;
  const to = from + granted - 1;
  const missing = await aggregates.readRange(work.aggregate, work.aggregateId, from, to);
  work.events = [...work.events, ...missing];
  if (work.checkpoint + work.events.length < to) {
    throw new Error(`${work.streamId}: the object returned events up to ${work.checkpoint + work.events.length}, a message names ${work.target}`);
  }
}

/** The pace of a failed message's retries: 1 s, 2 s, 4 s … capped at 60 s. */
const MESSAGE_BACKOFF = new Backoff({ baseMs: 1_000, maxMs: 60_000 });

/** Delay before a failed message is tried again, from its attempts so far. */
export function retryDelaySeconds(message: Message<unknown>): number {
  return MESSAGE_BACKOFF.delaySeconds(message.attempts);
}

/** Acknowledges every message of a stream's work: applied, or already applied before. */
export function ackAll(work: StreamWork): void {
  for (const message of work.messages) message.ack();
}

/**
 * Settles the messages no stream work owns: events of aggregates this subscriber does not follow
 * are acknowledged; bodies that are not envelopes are retried until they reach the dead-letter queue.
 */
export function settleUnowned(subscriber: string, foreign: readonly Message<unknown>[], malformed: readonly Message<unknown>[]): void {
  for (const message of foreign) message.ack();
  for (const message of malformed) {
    reportMalformed(subscriber, message);
    message.retry({ delaySeconds: retryDelaySeconds(message) });
  }
}

/** A body that is not an envelope, retried until it reaches the dead-letter queue: one `projector.message-malformed` line. */
export function reportMalformed(subscriber: string, message: Message<unknown>): void {
  writeLog("error", {
    event: "projector.message-malformed",
    msg: `${subscriber}: message ${message.id} is not an event envelope`,
    subscriber,
    messageId: message.id,
    attempts: message.attempts,
  });
}

/** A run of a stream's events applied as one transaction: the checkpoint moves from `from` to `to`. */
export interface EventRun {
  readonly events: readonly EventEnvelope[];
  readonly from: number;
  readonly to: number;
}

/** The stream's events (contiguous after {@link healGaps}) in runs of at most {@link MAX_EVENTS_PER_TRANSACTION}. */
export function eventRuns(work: Pick<StreamWork, "checkpoint" | "events">): EventRun[] {
  const runs: EventRun[] = [];
  for (let start = 0; start < work.events.length; start += MAX_EVENTS_PER_TRANSACTION) {
    const events = work.events.slice(start, start + MAX_EVENTS_PER_TRANSACTION);
    runs.push({ events, from: work.checkpoint + start, to: events[events.length - 1]!.version });
  }
  return runs;
}
