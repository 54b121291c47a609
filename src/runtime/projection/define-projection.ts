import type { AnyAggregate } from "../aggregate/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import { DEFAULT_READ_DATABASE } from "../manifest/index.js";
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
  /**
   * The D1 tables this projection owns and its handlers write to. Declaring them makes the
   * projection rebuildable: a rebuild runs the same handlers against shadow copies of these tables
   * (every whole-word occurrence of a declared name in a handler's SQL is rewritten to the
   * shadow's name), then swaps the copies in. A projection that declares none cannot be rebuilt.
   */
  readonly tables?: readonly string[];
  /**
   * The version of the view its handlers build, default 1. Bump it when the handlers change what
   * they write: once deployed, the runtime rebuilds the view from the full history.
   */
  readonly version?: number;
}

/** A projection ready for the runtime. */
export interface Projection<Q extends string = string, D extends string = string> extends Subscription<Q, D> {
  readonly kind: "projection";
  /** The tables the projection owns (empty: it cannot be rebuilt). */
  readonly tables: readonly string[];
  /** The version of the view its handlers build. */
  readonly version: number;
  /** Statements for one event, or none when the projection has no handler for its type. */
  statementsFor(event: EventEnvelope, context: ProjectionContext): ProjectionStatements;
}

/** Plain identifiers only: the names are rewritten in handlers' SQL and placed in DDL unquoted. */
const TABLE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Appended to a declared table's name for its shadow copy during a rebuild. */
export const SHADOW_TABLE_SUFFIX = "__rebuild";

/**
 * Defines a read model fed from the streams of `from`. Handlers are typed per event: the
 * event's `data` has its schema's type.
 *
 * @example
 * defineProjection({
 *   name: "order-details",
 *   queue: { name: "order-details", binding: "ORDER_DETAILS_QUEUE" },
 *   from: [order],
 *   tables: ["order_details"],
 *   handlers: {
 *     OrderShipped: (event, { db }) => [db.prepare("UPDATE order_details SET status = 'shipped' WHERE id = ?").bind(event.aggregateId)],
 *   },
 * });
 */
export function defineProjection<A extends AnyAggregate, const Q extends string, const D extends string = typeof DEFAULT_READ_DATABASE>(
  config: ProjectionConfig<A, Q, D>,
): Projection<Q, D> {
  const version = config.version ?? 1;
  if (!Number.isInteger(version) || version < 1) throw new Error(`projection ${config.name}: version must be a positive integer`);
  const tables = config.tables ?? [];
  const invalid = tables.filter((table) => !TABLE_NAME_PATTERN.test(table) || table.endsWith(SHADOW_TABLE_SUFFIX));
  if (invalid.length > 0) throw new Error(`projection ${config.name}: table names must be plain SQL identifiers not ending in ${SHADOW_TABLE_SUFFIX}: ${invalid.join(", ")}`);
  const handlers = config.handlers as Readonly<Record<string, ((event: EventEnvelope, context: ProjectionContext) => ProjectionStatements) | undefined>>;
  return {
    kind: "projection",
    name: config.name,
    queue: config.queue,
    // Without a database the default applies, which is what D defaults to as well.
    database: config.database ?? (DEFAULT_READ_DATABASE as D),
    aggregates: aggregateNames(config.from, `projection ${config.name}`),
    tables,
    version,
    statementsFor: (event, context) => ownEntry(handlers, event.type)?.(event, context) ?? [],
  };
}
