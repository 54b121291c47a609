import type { z } from "zod";
import type { AnyAggregate } from "../aggregate/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import { AGGREGATE_ID_PATTERN } from "../ids/index.js";
import type { EnvelopeOf, EventsFrom, QueueRef, Subscription } from "../subscription/index.js";
import { OUTCOME_KINDS, type AnyOutcomeMessage, type OutcomeKind, type OutcomeMessage } from "./command-outcomes.js";
import type { IssuedCommand } from "./issued-command.js";

/** A process manager's name is part of its instances' object names and of its command ids. */
export const PROCESS_MANAGER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * Timer ids are chosen by `decide` and appear in command ids and URLs: printable, no spaces, and
 * long enough for a short prefix plus an aggregate id (128), so a manager can keep one timer per
 * entity it follows (`pick-up-by:<deliveryId>`).
 */
export const TIMER_ID_PATTERN = /^[A-Za-z0-9._~:-]{1,160}$/;

/**
 * One decision may send at most this many commands: they commit in one storage transaction with
 * the state, and every one is an RPC from the instance's outbox.
 */
export const MAX_COMMANDS_PER_DECISION = 20;

/**
 * An instance holds at most this many pending timers: every alarm scans them in order, and a
 * manager that needs more is keeping a schedule, not deadlines.
 */
export const MAX_TIMERS_PER_INSTANCE = 100;

/** A fired timer as `step`, `evolve` and `decide` see it: `type` is lower case, so it never names an event. */
export interface TimerFired<P> {
  readonly type: "timer";
  readonly id: string;
  /** The ISO-8601 instant the timer was set for. */
  readonly at: string;
  readonly payload: P;
}

/** A timer to set: a later `set` with the same id replaces it. `at` is an ISO-8601 instant. */
export interface TimerToSet<P> {
  readonly id: string;
  readonly at: string;
  readonly payload: P;
}

/** What a stateful manager decides on one message: commands to send, timers to set and cancel. */
export interface ProcessDecision<P> {
  readonly commands?: readonly IssuedCommand[];
  readonly timers?: { readonly set?: readonly TimerToSet<P>[]; readonly cancel?: readonly string[] };
}

/**
 * The messages of a stateful manager: an event of a followed aggregate, one of its timers, and
 * the outcomes of its own commands it asked for (`O`, none by default).
 */
export type ProcessMessage<A, P, O extends OutcomeKind = never> = EnvelopeOf<EventsFrom<A>> | TimerFired<P> | OutcomeMessage<O>;

/**
 * What a stateful manager written as one `step` returns for one message: the state after it, and
 * what it decides (commands to send, timers to set and cancel), so what was sent can be kept in
 * the state where it is decided.
 */
export interface ProcessStep<S, P> extends ProcessDecision<P> {
  readonly state: S;
}

/** What every stateful manager declares, whichever form its decisions take. */
export interface StatefulProcessManagerBase<A extends AnyAggregate, Q extends string, D extends string, S extends z.ZodType, T extends z.ZodType, O extends OutcomeKind = never> {
  /** `[a-z][a-z0-9-]*`; part of its instances' names and its command ids. */
  readonly name: string;
  readonly queue: QueueRef<Q>;
  /** D1 binding holding its per-stream checkpoints. Default `READ_DB`. */
  readonly database?: D;
  readonly from: readonly A[];
  /** The instance an event belongs to (for example an order id), or undefined when it concerns none. */
  correlate(event: EnvelopeOf<EventsFrom<A>>): string | undefined;
  /** The state's schema: checked after every message and when an instance wakes. */
  readonly state: S;
  /** The schema of its timers' payloads. A manager that sets no timers leaves it out. */
  readonly timer?: T;
  /**
   * The outcomes of its own commands that come back to it as messages, each exactly once, in the
   * order the commands were sent: `"rejected"` (its aggregate refused it: compensate here) and
   * `"accepted"` (with the events it appended). Default none: a refusal is then only recorded on
   * the instance.
   */
  readonly outcomes?: readonly O[];
  initialState(): z.output<S>;
}

/**
 * A stateful manager written as two pure functions, like an aggregate: `decide` sees the state
 * before the message, and `evolve` folds the message into that same state.
 */
export interface EvolveDecideConfig<A extends AnyAggregate, Q extends string, D extends string, S extends z.ZodType, T extends z.ZodType, O extends OutcomeKind = never>
  extends StatefulProcessManagerBase<A, Q, D, S, T, O> {
  evolve(state: z.output<S>, message: ProcessMessage<A, z.output<T>, O>): z.output<S>;
  decide(state: z.output<S>, message: ProcessMessage<A, z.output<T>, O>): ProcessDecision<z.input<T>>;
  /** One form or the other: a manager with `evolve` and `decide` has no `step`. */
  readonly step?: never;
}

/**
 * A stateful manager written as one pure function: the state before the message in, the state
 * after it and the decision out. It is `evolve` and `decide` in one: the runtime stores `state`
 * and sends `commands` and sets `timers`, in the same transaction and with the same ids.
 */
export interface StepConfig<A extends AnyAggregate, Q extends string, D extends string, S extends z.ZodType, T extends z.ZodType, O extends OutcomeKind = never>
  extends StatefulProcessManagerBase<A, Q, D, S, T, O> {
  step(state: z.output<S>, message: ProcessMessage<A, z.output<T>, O>): ProcessStep<z.output<S>, z.input<T>>;
  /** One form or the other: a manager with `step` has no `evolve`. */
  readonly evolve?: never;
  /** One form or the other: a manager with `step` has no `decide`. */
  readonly decide?: never;
}

/**
 * Everything a user writes for a stateful process manager: one Durable Object per instance
 * (`correlate` names it), with its own state and timers, and its decisions written either as
 * `evolve` and `decide` or as one `step`, never both. Both forms see the state before the message;
 * `step(state, message)` is exactly `{ state: evolve(state, message), ...decide(state, message) }`.
 */
export type StatefulProcessManagerConfig<A extends AnyAggregate, Q extends string, D extends string, S extends z.ZodType, T extends z.ZodType, O extends OutcomeKind = never> =
  | EvolveDecideConfig<A, Q, D, S, T, O>
  | StepConfig<A, Q, D, S, T, O>;

/** A stateful decision with its defaults filled in and its timers checked. */
export interface CheckedDecision {
  readonly commands: readonly IssuedCommand[];
  readonly timers: { readonly set: readonly { readonly id: string; readonly at: number; readonly payload: unknown }[]; readonly cancel: readonly string[] };
}

/** A checked decision and the checked state after the message: what an instance commits for one message. */
export interface CheckedStep extends CheckedDecision {
  readonly state: unknown;
}

/** A message as the runtime hands it to an instance. */
export type AnyProcessMessage = EventEnvelope | TimerFired<unknown> | AnyOutcomeMessage;

/** A stateful process manager ready for the runtime, its types erased. */
export interface StatefulProcessManager<Q extends string = string, D extends string = string> extends Subscription<Q, D> {
  readonly kind: "process-manager";
  readonly stateful: true;
  /** Every followed event type, with its aggregate and data schema: what the testing kit builds envelopes from. */
  readonly events: ReadonlyMap<string, { readonly aggregate: string; readonly schema: z.ZodType }>;
  /** The outcomes of its commands it receives as messages; empty when it asked for none. */
  readonly outcomes: ReadonlySet<OutcomeKind>;
  /** The instance key of an event, checked against the id pattern; undefined when the event concerns no instance. */
  correlate(event: EventEnvelope): string | undefined;
  initialState(): unknown;
  /** Parses a stored or evolved state with the manager's schema; throws naming the manager when it fails. */
  checkState(state: unknown): unknown;
  /**
   * One message on the state before it, whichever form the manager is written in: the state after
   * it (checked against the schema) and the decision (its timers checked). Pure; throws naming the
   * manager when its code or a check fails.
   */
  step(state: unknown, message: AnyProcessMessage): CheckedStep;
}

/**
 * A stateful manager as `defineProcessManager` returns it: erased for the runtime, with its
 * types kept for the testing kit (`givenProcess`).
 */
export interface TypedStatefulProcessManager<Q extends string, D extends string, Ev, S, P, O extends OutcomeKind = never> extends StatefulProcessManager<Q, D> {
  /** Types only, never set at run time: the events it follows, its state, its timers' payload, the outcomes it receives. */
  readonly "~types"?: { readonly event: Ev; readonly state: S; readonly timer: P; readonly outcome: O };
}

/** Erases a typed config into what the runtime runs: one checked step, whichever form it is written in. */
export function statefulProcessManager<A extends AnyAggregate, Q extends string, D extends string, S extends z.ZodType, T extends z.ZodType, O extends OutcomeKind>(
  config: StatefulProcessManagerConfig<A, Q, D, S, T, O>,
  base: Subscription<Q, D>,
): TypedStatefulProcessManager<Q, D, EventsFrom<A>, z.output<S>, z.output<T>, O> {
  if (!PROCESS_MANAGER_NAME_PATTERN.test(config.name)) throw new Error(`process manager name "${config.name}" must match ${PROCESS_MANAGER_NAME_PATTERN}`);
  const outcomes = new Set<OutcomeKind>(config.outcomes ?? []);
  for (const kind of outcomes) {
    if (!OUTCOME_KINDS.includes(kind)) throw new Error(`process manager ${config.name}: outcome "${kind}" must be one of ${OUTCOME_KINDS.join(", ")}`);
  }
  const typed = config as unknown as StatefulProcessManagerConfig<AnyAggregate, Q, D, z.ZodType, z.ZodType, OutcomeKind>;
  const step = stepOf(typed);
  const checkState = (state: unknown): unknown => {
    const parsed = config.state.safeParse(state);
    if (!parsed.success) throw new Error(`process manager ${config.name}: state fails its schema: ${parsed.error.message}`);
    return parsed.data;
  };
  return {
    ...base,
    kind: "process-manager",
    stateful: true,
    events: new Map(config.from.flatMap((aggregate) => Object.entries(aggregate.events).map(([type, schema]) => [type, { aggregate: aggregate.name, schema }] as const))),
    outcomes,
    correlate(event) {
      const key = typed.correlate(event as never);
      if (key === undefined) return undefined;
      if (!AGGREGATE_ID_PATTERN.test(key)) throw new Error(`process manager ${config.name}: ${event.type} ${event.eventId} correlates to "${key}", which is not an instance key (${AGGREGATE_ID_PATTERN})`);
      return key;
    },
    initialState: () => checkState(config.initialState()),
    checkState,
    step(state, message) {
      const next = step(state, message as never);
      return { ...checkDecision(config.name, config.timer, next), state: checkState(next.state) };
    },
  };
}

type ErasedConfig = StatefulProcessManagerConfig<AnyAggregate, string, string, z.ZodType, z.ZodType, OutcomeKind>;

/**
 * The manager's decisions as one step, whichever form it is written in; refuses a definition with
 * both forms or neither. `evolve` and `decide` both get the state before the message, as they
 * always have, so the pair is the step `{ ...decide(state, message), state: evolve(state, message) }`.
 */
function stepOf(config: ErasedConfig): StepConfig<AnyAggregate, string, string, z.ZodType, z.ZodType, OutcomeKind>["step"] {
  const { name, step, evolve, decide } = config;
  if (step !== undefined) {
    if (evolve !== undefined || decide !== undefined) {
      throw new Error(`process manager ${name}: write it with \`step\` or with \`evolve\` and \`decide\`, not both`);
    }
    return step.bind(config);
  }
  if (evolve === undefined || decide === undefined) {
    throw new Error(`process manager ${name}: a stateful manager needs \`evolve\` and \`decide\`, or one \`step\``);
  }
  return (state, message) => {
    // decide first, as the runtime always ran them: neither sees what the other returned.
    const decision = decide.call(config, state, message);
    return { ...decision, state: evolve.call(config, state, message) };
  };
}

function checkDecision(manager: string, timerSchema: z.ZodType | undefined, decision: ProcessDecision<unknown>): CheckedDecision {
  const commands = decision.commands ?? [];
  if (commands.length > MAX_COMMANDS_PER_DECISION) {
    throw new Error(`process manager ${manager}: one decision sent ${commands.length} commands; at most ${MAX_COMMANDS_PER_DECISION}`);
  }
  const set = (decision.timers?.set ?? []).map((timer) => {
    if (!TIMER_ID_PATTERN.test(timer.id)) throw new Error(`process manager ${manager}: timer id "${timer.id}" must match ${TIMER_ID_PATTERN}`);
    const at = Date.parse(timer.at);
    if (!Number.isFinite(at)) throw new Error(`process manager ${manager}: timer ${timer.id} is set for "${timer.at}", which is not an ISO-8601 instant`);
    if (timerSchema === undefined) throw new Error(`process manager ${manager}: it sets timer ${timer.id} but declares no \`timer\` schema for their payloads`);
    const payload = timerSchema.safeParse(timer.payload);
    if (!payload.success) throw new Error(`process manager ${manager}: timer ${timer.id}'s payload fails its schema: ${payload.error.message}`);
    return { id: timer.id, at, payload: payload.data };
  });
  return { commands, timers: { set, cancel: decision.timers?.cancel ?? [] } };
}
