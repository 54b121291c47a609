import type { z } from "zod";
import type { AnyAggregate, SchemaMap } from "../aggregate/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import { ownEntry } from "../own-entry/index.js";
import { DEFAULT_READ_DATABASE } from "../projection/index.js";
import { aggregateNames, type HandlerMap, type QueueRef, type Subscription } from "../subscription/index.js";

/** A command a process manager issues in reaction to an event. */
export interface IssuedCommand {
  readonly aggregate: string;
  readonly id: string;
  readonly command: string;
  readonly payload: unknown;
}

/**
 * A typed command for a process manager to issue.
 *
 * @example
 * DeliveryPickedUp: (event) => [command(order, event.data.orderId, "ship", {})]
 */
export function command<C extends SchemaMap, K extends keyof C & string>(
  aggregate: { readonly name: string; readonly commands: C },
  id: string,
  name: K,
  payload: z.input<C[K]>,
): IssuedCommand {
  return { aggregate: aggregate.name, id, command: name, payload };
}

export interface ProcessManagerConfig<A extends AnyAggregate, Q extends string, D extends string> {
  readonly name: string;
  readonly queue: QueueRef<Q>;
  /** D1 binding holding its checkpoints. Default `READ_DB`. */
  readonly database?: D;
  readonly from: readonly A[];
  /** Pure: the commands an event calls for. Their ids derive from the event's id, so a redelivery never acts twice. */
  readonly handlers: HandlerMap<A, undefined, readonly IssuedCommand[]>;
}

export interface ProcessManager<Q extends string = string, D extends string = string> extends Subscription<Q, D> {
  readonly kind: "process-manager";
  commandsFor(event: EventEnvelope): readonly IssuedCommand[];
}

/** Defines a stateless process manager: events in, commands out, in stream order. */
export function defineProcessManager<A extends AnyAggregate, const Q extends string, const D extends string = typeof DEFAULT_READ_DATABASE>(
  config: ProcessManagerConfig<A, Q, D>,
): ProcessManager<Q, D> {
  const handlers = config.handlers as Readonly<Record<string, ((event: EventEnvelope, context: undefined) => readonly IssuedCommand[]) | undefined>>;
  return {
    kind: "process-manager",
    name: config.name,
    queue: config.queue,
    database: config.database ?? (DEFAULT_READ_DATABASE as D),
    aggregates: aggregateNames(config.from, `process manager ${config.name}`),
    commandsFor: (event) => ownEntry(handlers, event.type)?.(event, undefined) ?? [],
  };
}
