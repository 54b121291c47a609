import type { z } from "zod";
import type { AnyAggregate } from "../aggregate/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import { DEFAULT_READ_DATABASE } from "../manifest/index.js";
import { aggregateNames, type EnvelopeOf, type EventsFrom, type QueueRef, type Subscription } from "../subscription/index.js";
import { CLOUD_EVENT_CONTENT_TYPE, CLOUDEVENTS_SPEC_VERSION, cloudEventSchema, type CloudEvent } from "./cloud-event.js";

/**
 * Public event types name a file of the published contracts (`schema/contracts/public/<type>.json`)
 * and are matched literally by consumers: dot-separated words, reverse-DNS style
 * (`com.example.order.placed`), nothing a file name or a routing rule would trip on.
 */
export const PUBLIC_EVENT_TYPE_PATTERN = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;

/** How one internal event type leaves the system: its public type, its public schema and the mapping to it. */
export interface PublicEvent<Envelope, S extends z.ZodType = z.ZodType> {
  /** The CloudEvent `type`, e.g. `com.example.order.placed`. */
  readonly type: string;
  /** The public data's schema: what consumers may rely on. Published data is parsed with it before it leaves. */
  readonly schema: S;
  /** Pure: the public data of one internal event. No I/O; ids and time are on the envelope. */
  readonly data: (event: Envelope) => z.input<S>;
}

/** At most one public event per internal event type of the followed aggregates; the rest never leave. */
export type PublicEventMap<A> = {
  readonly [T in EventsFrom<A>["type"]]?: PublicEvent<EnvelopeOf<Extract<EventsFrom<A>, { type: T }>>>;
};

/**
 * Ties each mapping's `data` result to its own `schema`, which the map's common type cannot, and
 * makes a key that is no event type of the followed aggregates a type error (`never`).
 */
export type CheckedPublicEvents<A, M> = {
  readonly [K in keyof M]: K extends EventsFrom<A>["type"]
    ? M[K] extends { readonly schema: infer S extends z.ZodType }
      ? { readonly data: (event: never) => z.input<S> }
      : M[K]
    : never;
};

/** Everything a user writes to define a publisher: which events leave, as what, and where to. */
export interface PublisherConfig<A extends AnyAggregate, M extends PublicEventMap<A>, Q extends string, D extends string, I extends string> {
  /** Stable name; the key of its dead letters and statistics. */
  readonly name: string;
  /** The publisher's own queue: the outbox fans the followed aggregates' events out to it. */
  readonly queue: QueueRef<Q>;
  /** D1 binding where its dead letters are parked. Default `READ_DB`. */
  readonly database?: D;
  /** The aggregates whose events may be published. */
  readonly from: readonly A[];
  /** The CloudEvent `source` (a URI-reference naming this system), e.g. `/edge-cqrs/shop`. */
  readonly source: string;
  /** Producer binding of the integration-events queue the CloudEvents are sent to. */
  readonly integrationQueue: I;
  /** The explicit mapping, keyed by internal event type. An event type without an entry is never published. */
  readonly events: M & CheckedPublicEvents<A, M>;
}

/** One public event type a publisher emits: what the contracts are generated from. */
export interface PublishedEventType {
  /** The aggregate and the internal event type it is mapped from. */
  readonly aggregate: string;
  readonly from: string;
  /** The CloudEvent `type`. */
  readonly type: string;
  /** The whole CloudEvent as it leaves, `data` included. */
  readonly schema: z.ZodType<CloudEvent>;
}

/** A publisher ready for the runtime. */
export interface Publisher<Q extends string = string, D extends string = string, I extends string = string> extends Subscription<Q, D> {
  readonly kind: "publisher";
  readonly source: string;
  /** The producer binding of the integration-events queue; checked against `Env`. */
  readonly integrationQueue: I;
  readonly publishes: readonly PublishedEventType[];
  /**
   * The CloudEvent an envelope becomes, or undefined when its type has no mapping. Throws when
   * the mapped data does not satisfy the public schema: a bug in the mapping, never sent.
   */
  cloudEventFor(envelope: EventEnvelope): CloudEvent | undefined;
}

type ErasedMapping = PublicEvent<EventEnvelope>;

/**
 * Defines a publisher of integration events: chosen internal events of `from`, mapped to public
 * CloudEvents 1.0 and sent to the integration-events queue. The mapping is explicit, so a new
 * internal event type stays inside until someone decides what it means to the outside.
 *
 * @example
 * definePublisher({
 *   name: "order-integration",
 *   queue: { name: "order-integration", binding: "ORDER_INTEGRATION_QUEUE", deadLetterQueue: "order-integration-dlq" },
 *   from: [order],
 *   source: "/edge-cqrs/shop",
 *   integrationQueue: "INTEGRATION_EVENTS_QUEUE",
 *   events: {
 *     OrderShipped: { type: "com.example.order.shipped", schema: OrderShippedV1, data: (e) => ({ orderId: e.aggregateId, shippedAt: e.data.shippedAt }) },
 *   },
 * });
 */
export function definePublisher<
  A extends AnyAggregate,
  M extends PublicEventMap<A>,
  const Q extends string,
  const I extends string,
  const D extends string = typeof DEFAULT_READ_DATABASE,
>(config: PublisherConfig<A, M, Q, D, I>): Publisher<Q, D, I> {
  const owner = `publisher ${config.name}`;
  const aggregates = aggregateNames(config.from, owner);
  if (!/^\S+$/.test(config.source)) throw new Error(`${owner}: source must be a non-empty URI-reference without spaces, got "${config.source}"`);
  const mappings = checkedMappings(owner, config.from, config.events as Readonly<Record<string, ErasedMapping | undefined>>);
  const publishes = new Map(
    [...mappings].map(([from, m]): [string, PublishedEventType] => [
      from,
      {
        aggregate: config.from.find((a) => Object.hasOwn(a.events, from))!.name,
        from,
        type: m.type,
        schema: cloudEventSchema(config.source, m.type, m.schema),
      },
    ]),
  );
  return {
    kind: "publisher",
    name: config.name,
    queue: config.queue,
    database: config.database ?? (DEFAULT_READ_DATABASE as D),
    aggregates,
    source: config.source,
    integrationQueue: config.integrationQueue,
    publishes: [...publishes.values()],
    cloudEventFor(envelope) {
      const mapping = mappings.get(envelope.type);
      const published = publishes.get(envelope.type);
      if (!mapping || !published || !aggregates.includes(envelope.aggregate)) return undefined;
      // The whole CloudEvent is parsed, not only its data: what leaves is exactly what the
      // published JSON Schema describes, and fields the public schema does not name are dropped.
      return published.schema.parse({
        specversion: CLOUDEVENTS_SPEC_VERSION,
        id: envelope.eventId,
        source: config.source,
        type: mapping.type,
        time: envelope.metadata.recordedAt,
        subject: envelope.aggregateId,
        datacontenttype: CLOUD_EVENT_CONTENT_TYPE,
        data: mapping.data(envelope),
      });
    },
  };
}

/** The mappings by internal type, checked: every key an event of `from`, every public type well-formed and used once. */
function checkedMappings(owner: string, from: readonly AnyAggregate[], events: Readonly<Record<string, ErasedMapping | undefined>>): Map<string, ErasedMapping> {
  const internalTypes = new Set(from.flatMap((aggregate) => Object.keys(aggregate.events)));
  const mappedFrom = new Map<string, string>();
  const mappings = new Map<string, ErasedMapping>();
  for (const [internal, mapping] of Object.entries(events)) {
    if (mapping === undefined) continue;
    if (!internalTypes.has(internal)) throw new Error(`${owner}: ${internal} is not an event type of ${from.map((a) => a.name).join(", ")}`);
    if (typeof mapping.type !== "string" || !PUBLIC_EVENT_TYPE_PATTERN.test(mapping.type)) {
      throw new Error(`${owner}: ${internal} maps to public type "${String(mapping.type)}", which is not dot-separated words (e.g. com.example.order.placed)`);
    }
    if (typeof mapping.schema?.safeParse !== "function") throw new Error(`${owner}: ${internal} has no zod schema for its public data`);
    if (typeof mapping.data !== "function") throw new Error(`${owner}: ${internal} has no data function`);
    const other = mappedFrom.get(mapping.type);
    if (other !== undefined) throw new Error(`${owner}: ${other} and ${internal} both map to ${mapping.type}`);
    mappedFrom.set(mapping.type, internal);
    mappings.set(internal, mapping);
  }
  if (mappings.size === 0) throw new Error(`${owner}: "events" maps no event type, so nothing would ever be published`);
  return mappings;
}
