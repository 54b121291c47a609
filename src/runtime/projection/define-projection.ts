import type { AnyAggregate } from "../aggregate/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import { ownEntry } from "../own-entry/index.js";
import { aggregateNames, type HandlerMap, type QueueRef, type Subscription } from "../subscription/index.js";

/** What a projection handler gets besides the event: the database its statements run against. */
export interface ProjectionContext {
  readonly db: D1Database;
}

/**
 * A handler turns one event into prepared, bound D1 statements. It must not read the database:
 * the runner batches many events' statements into one transaction, so a read would not see them.
 */
export type ProjectionStatements = readonly D1PreparedStatement[];

export interface ProjectionConfig<A extends AnyAggregate, Q extends string, D extends string> {
  /** Stable name; the key of its checkpoints. */
  readonly name: string;
  readonly queue: QueueRef<Q>;
  /** D1 binding name of the database holding the views and the checkpoints. Default `READ_DB`. */
  readonly database?: D;
  /** The aggregates whose streams feed this projection. */
  readonly from: readonly A[];
  readonly handlers: HandlerMap<A, ProjectionContext, ProjectionStatements>;
}

/** A projection ready for the runtime. */
export interface Projection<Q extends string = string, D extends string = string> extends Subscription<Q, D> {
  readonly kind: "projection";
  /** Statements for one event, or none when the projection has no handler for its type. */
  statementsFor(event: EventEnvelope, context: ProjectionContext): ProjectionStatements;
}

/** D1 binding used when a projection names none. */
export const DEFAULT_READ_DATABASE = "READ_DB" as const;

/**
 * Defines a read model fed from the streams of `from`. Handlers are typed per event: the
 * event's `data` has its schema's type.
 *
 * @example
 * defineProjection({
 *   name: "order-details",
 *   queue: { name: "order-details", binding: "ORDER_DETAILS_QUEUE" },
 *   from: [order],
 *   handlers: {
 *     OrderShipped: (event, { db }) => [db.prepare("UPDATE order_details SET status = 'shipped' WHERE id = ?").bind(event.aggregateId)],
 *   },
 * });
 */
export function defineProjection<A extends AnyAggregate, const Q extends string, const D extends string = typeof DEFAULT_READ_DATABASE>(
  config: ProjectionConfig<A, Q, D>,
): Projection<Q, D> {
  const handlers = config.handlers as Readonly<Record<string, ((event: EventEnvelope, context: ProjectionContext) => ProjectionStatements) | undefined>>;
  return {
    kind: "projection",
    name: config.name,
    queue: config.queue,
    // Without a database the default applies, which is what D defaults to as well.
    database: config.database ?? (DEFAULT_READ_DATABASE as D),
    aggregates: aggregateNames(config.from, `projection ${config.name}`),
    statementsFor: (event, context) => ownEntry(handlers, event.type)?.(event, context) ?? [],
  };
}
