import type { AnyAggregate, EventOf, SchemaMap } from "../aggregate/index.js";
import type { EventEnvelope } from "../envelope/index.js";

/** A queue as both sides see it: consumers match on its name, the outbox sends through its binding. */
export interface QueueRef<B extends string = string> {
  /** The queue's name in wrangler.toml (`[[queues.consumers]] queue = …`). */
  readonly name: string;
  /** The producer binding the aggregate objects send with (`[[queues.producers]] binding = …`); checked against `Env`. */
  readonly binding: B;
  /** The consumer's `dead_letter_queue`, when it has one: its messages are parked in D1 for the admin API. */
  readonly deadLetterQueue?: string;
}

/** The events of the aggregates `A`, as a union discriminated by `type`. */
export type EventsFrom<A> = A extends { readonly events: infer E extends SchemaMap } ? EventOf<E> : never;

/** An event envelope whose `type` and `data` are narrowed to one event of the subscribed aggregates. */
export type EnvelopeOf<Ev> = Ev extends { readonly type: infer T; readonly data: infer D }
  ? Omit<EventEnvelope, "type" | "data"> & { readonly type: T; readonly data: D }
  : never;

/** A handler per event type; types without one are passed over, but still advance the checkpoint. */
export type HandlerMap<A, Context, Result> = {
  readonly [T in EventsFrom<A>["type"]]?: (event: EnvelopeOf<Extract<EventsFrom<A>, { type: T }>>, context: Context) => Result;
};

/**
 * What projections and process managers share: a name, a queue, and the aggregates whose
 * streams they follow. Subscription is per aggregate, not per event type: every event of a
 * followed stream reaches the queue, so per-stream checkpoints have no holes and a gap always
 * means a message still in flight (see D2 in docs/decisions.md).
 */
export interface Subscription<Q extends string = string, D extends string = string> {
  readonly name: string;
  readonly queue: QueueRef<Q>;
  /** Names of the aggregates whose streams this subscriber follows. */
  readonly aggregates: readonly string[];
  /** The D1 binding holding this subscriber's checkpoints (and a projection's views); checked against `Env`. */
  readonly database: D;
}

/**
 * Names of the followed aggregates, checked at definition time: handlers are keyed by event type,
 * so two followed aggregates with an event type of the same name would make a handler ambiguous.
 */
export function aggregateNames(from: readonly AnyAggregate[], owner: string): string[] {
  if (from.length === 0) throw new Error(`${owner}: "from" names no aggregate`);
  const ownerOfType = new Map<string, string>();
  for (const aggregate of from) {
    for (const type of Object.keys(aggregate.events)) {
      const other = ownerOfType.get(type);
      if (other !== undefined) throw new Error(`${owner}: event type ${type} exists in both ${other} and ${aggregate.name}`);
      ownerOfType.set(type, aggregate.name);
    }
  }
  return from.map((aggregate) => aggregate.name);
}
