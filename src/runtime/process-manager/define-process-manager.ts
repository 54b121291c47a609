import type { z } from "zod";
import type { AnyAggregate } from "../aggregate/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import { DEFAULT_READ_DATABASE } from "../manifest/index.js";
import { ownEntry } from "../own-entry/index.js";
import { aggregateNames, type EventsFrom, type HandlerMap, type QueueRef, type Subscription } from "../subscription/index.js";
import type { OutcomeKind } from "./command-outcomes.js";
import type { IssuedCommand } from "./issued-command.js";
import { statefulProcessManager, type StatefulProcessManager, type StatefulProcessManagerConfig, type TypedStatefulProcessManager } from "./stateful.js";

export interface ProcessManagerConfig<A extends AnyAggregate, Q extends string, D extends string> {
  readonly name: string;
  readonly queue: QueueRef<Q>;
  /** D1 binding holding its checkpoints. Default `READ_DB`. */
  readonly database?: D;
  readonly from: readonly A[];
  /** Pure: the commands an event calls for. Their ids derive from the event's id, so a redelivery never acts twice. */
  readonly handlers: HandlerMap<A, undefined, readonly IssuedCommand[]>;
  /** Only a stateful manager decides; see {@link StatefulProcessManagerConfig}. */
  readonly decide?: never;
  /** Only a stateful manager evolves a state. */
  readonly evolve?: never;
  /** Only a stateful manager steps through its messages. */
  readonly step?: never;
  /**
   * Only a stateful manager receives its commands' outcomes: a stateless one has nowhere to
   * remember what it sent, so a refusal is logged (`process-manager.command-refused`) and the event
   * acknowledged.
   */
  readonly outcomes?: never;
}

/** A stateless process manager: each event maps to commands, run from its queue in stream order. */
export interface StatelessProcessManager<Q extends string = string, D extends string = string> extends Subscription<Q, D> {
  readonly kind: "process-manager";
  readonly stateful: false;
  commandsFor(event: EventEnvelope): readonly IssuedCommand[];
}

/** A process manager ready for the runtime: stateless (event → commands) or stateful (one Durable Object per instance). */
export type ProcessManager<Q extends string = string, D extends string = string> = StatelessProcessManager<Q, D> | StatefulProcessManager<Q, D>;

/**
 * Defines a process manager. With `handlers` it is stateless: events in, commands out, in stream
 * order. With `correlate`, `state`, `initialState` and either `evolve` and `decide` or one `step`
 * (never both) it is stateful: every
 * instance (one per key `correlate` returns) is a Durable Object of its own, which keeps its
 * state, sends its commands through an outbox and fires its timers from its alarm; with
 * `outcomes`, what became of its commands (refused, accepted) comes back to it as messages.
 *
 * @example
 * defineProcessManager({
 *   name: "fulfilment", queue: PROCESS_MANAGER_QUEUE, from: [order, delivery],
 *   correlate: (event) => event.type.startsWith("Order") ? event.aggregateId : event.data.orderId,
 *   state: FulfilmentState, timer: PickUpDeadline, initialState: () => ({ orderCancelled: false, deliveries: {} }),
 *   evolve: (state, message) => …, decide: (state, message) => ({ commands: […], timers: { set: […] } }),
 * });
 * // The same decisions as one function: the state after the message beside what it sends.
 * defineProcessManager({ …, step: (state, message) => ({ state: …, commands: […], timers: { set: […] } }) });
 */
export function defineProcessManager<
  A extends AnyAggregate,
  const Q extends string,
  S extends z.ZodType,
  T extends z.ZodType = z.ZodNever,
  const D extends string = typeof DEFAULT_READ_DATABASE,
  const O extends OutcomeKind = never,
>(config: StatefulProcessManagerConfig<A, Q, D, S, T, O>): TypedStatefulProcessManager<Q, D, EventsFrom<A>, z.output<S>, z.output<T>, O>;
export function defineProcessManager<A extends AnyAggregate, const Q extends string, const D extends string = typeof DEFAULT_READ_DATABASE>(
  config: ProcessManagerConfig<A, Q, D>,
): StatelessProcessManager<Q, D>;
export function defineProcessManager(
  config: ProcessManagerConfig<AnyAggregate, string, string> | StatefulProcessManagerConfig<AnyAggregate, string, string, z.ZodType, z.ZodType, OutcomeKind>,
): ProcessManager {
  const base: Subscription = {
    name: config.name,
    queue: config.queue,
    database: config.database ?? DEFAULT_READ_DATABASE,
    aggregates: aggregateNames(config.from, `process manager ${config.name}`),
  };
  // Any part of a stateful manager's decisions makes it one; statefulProcessManager refuses a mix of the two forms.
  if (config.decide !== undefined || config.evolve !== undefined || config.step !== undefined) {
    if ((config as { handlers?: unknown }).handlers !== undefined) {
      throw new Error(`process manager ${config.name}: it is stateless (handlers) or stateful (evolve and decide, or step), not both`);
    }
    return statefulProcessManager(config, base);
  }
  if ((config as { outcomes?: unknown }).outcomes !== undefined) {
    throw new Error(`process manager ${config.name}: only a stateful manager (decide, evolve, state) receives its commands' outcomes`);
  }
  const handlers = (config as ProcessManagerConfig<AnyAggregate, string, string>).handlers as Readonly<
    Record<string, ((event: EventEnvelope, context: undefined) => readonly IssuedCommand[]) | undefined>
  >;
  return {
    ...base,
    kind: "process-manager",
    stateful: false,
    commandsFor: (event) => ownEntry(handlers, event.type)?.(event, undefined) ?? [],
  };
}
