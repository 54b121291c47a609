import type { EventEnvelope, EventMetadata } from "../envelope/index.js";
import {
  instanceCommandId,
  outcomeCause,
  type AnyProcessMessage,
  type CheckedDecision,
  type IssuedCommand,
  type OutcomeKind,
  type TimerFired,
  type TimerToSet,
  type TypedStatefulProcessManager,
} from "../process-manager/index.js";
import { deepEqual } from "./deep-equal.js";
import { TEST_COMMAND_METADATA } from "./given.js";
import { fromCaller, reportedAtCaller } from "./reported-at-caller.js";
import { outcomeMessage, type AwaitedCommand, type LooseOutcome, type TestOutcome } from "./test-outcomes.js";

/** An event as a process-manager test writes it: its type and data, and the id of the aggregate it happened to. */
export type TestEvent<Ev> = Ev extends { readonly type: infer T; readonly data: infer D }
  ? { readonly type: T; readonly data: D; readonly aggregateId: string; readonly metadata?: Partial<EventMetadata> }
  : never;

/**
 * A timer firing. By id alone it is a pending timer, with the time and payload it was set with;
 * with `at` and `payload` it is any timer, pending or not (a firing that raced a cancellation).
 */
export type TestTimer<P = unknown> = { readonly type: "timer"; readonly id: string } | { readonly type: "timer"; readonly id: string; readonly at: string; readonly payload: P };

/**
 * What a process-manager test feeds an instance: an event, one of its pending timers, or (for a
 * manager that asked for outcomes) the outcome of a command it sent.
 */
export type TestMessage<Ev, P = unknown, O extends OutcomeKind = never> = TestEvent<Ev> | TestTimer<P> | TestOutcome<O>;

/** A decision as a test expects it; left-out parts mean none. */
export interface ExpectedDecision<P> {
  readonly commands?: readonly IssuedCommand[];
  readonly timers?: { readonly set?: readonly TimerToSet<P>[]; readonly cancel?: readonly string[] };
}

/** What the instance did with the message: the decision, the state after, the timers left pending. */
export interface ProcessOutcome<S, P> {
  /** Asserts the decision: exactly these commands, in order, and these timers set and cancelled. */
  then(expected: ExpectedDecision<P>): ProcessOutcome<S, P>;
  /** Asserts no command was sent and no timer set or cancelled. */
  thenNothing(): ProcessOutcome<S, P>;
  /** Asserts the state after the message. */
  thenState(expected: S): ProcessOutcome<S, P>;
  /** Asserts the timers pending after the message, earliest first. */
  thenTimers(expected: readonly TimerToSet<P>[]): ProcessOutcome<S, P>;
}

/** An instance as the kit keeps it: state, pending timers, the next version per stream, the commands awaiting an outcome. */
interface TestInstance {
  key: string | undefined;
  state: unknown;
  readonly timers: Map<string, { at: number; payload: unknown }>;
  readonly versions: Map<string, number>;
  events: number;
  /** Commands sent so far: the runtime numbers its outbox the same way. */
  sent: number;
  readonly awaited: AwaitedCommand[];
}

/**
 * Given/when/then for stateful process managers, written with `evolve` and `decide` or with one
 * `step`: pure, no runtime, no storage. The history's messages are decided on and folded in as
 * the runtime would (so timers they set are pending, and
 * commands they sent await an outcome); then one event, timer or outcome arrives. Events' data is
 * parsed with its schema first, every event must correlate to the same instance (one that
 * correlates to none is refused: the runtime would never deliver it), and an outcome must answer
 * a command the instance sent.
 *
 * @example
 * givenProcess(fulfilment, [{ type: "DeliveryScheduled", aggregateId: "d-1", data: scheduled }])
 *   .when({ type: "timer", id: "pick-up-by:d-1" })
 *   .then({ commands: [command(delivery, "d-1", "fail", { reason: "not_picked_up" })] });
 * givenProcess(transfers, [requested, { type: "accepted", command: debit }])
 *   .when({ type: "rejected", command: credit, reason: "account_not_open" })
 *   .then({ commands: [command(account, "a-1", "refund-transfer", { transferId: "t-1", amount: 500 })] });
 */
export function givenProcess<Q extends string, D extends string, Ev, S, P, O extends OutcomeKind = never>(
  manager: TypedStatefulProcessManager<Q, D, Ev, S, P, O>,
  history: readonly TestMessage<Ev, P, O>[] = [],
) {
  const instance: TestInstance = { key: undefined, state: manager.initialState(), timers: new Map(), versions: new Map(), events: 0, sent: 0, awaited: [] };
  const erased = manager as unknown as AnyTypedManager;
  try {
    for (const message of history) apply(erased, instance, message as LooseMessage);
  } catch (error) {
    throw fromCaller(error, givenProcess);
  }
  return reportedAtCaller({
    when(message: TestMessage<Ev, P, O>): ProcessOutcome<S, P> {
      const decision = apply(erased, instance, message as LooseMessage);
      return outcome<S, P>(decision, instance);
    },
  });
}

type AnyTypedManager = TypedStatefulProcessManager<string, string, unknown, unknown, unknown, OutcomeKind>;
/** A test message with its type erased: a timer has an `id`, an event `data` and `aggregateId`, an outcome a `command`. */
type LooseMessage = {
  readonly type: string;
  readonly id?: string;
  readonly at?: string;
  readonly payload?: unknown;
  readonly data?: unknown;
  readonly aggregateId?: string;
  readonly metadata?: Partial<EventMetadata>;
} & Omit<LooseOutcome, "type">;

/** Steps the manager on one message (its `step`, or `decide` and `evolve`), as an instance does, and records the commands it sent as awaiting an outcome. */
function apply(manager: AnyTypedManager, instance: TestInstance, message: LooseMessage): CheckedDecision {
  const { full, cause } = arrived(manager, instance, message);
  const { state, ...decision } = manager.step(instance.state, full);
  instance.state = state;
  if (full.type === "timer") instance.timers.delete(message.id ?? "");
  for (const id of decision.timers.cancel) instance.timers.delete(id);
  for (const timer of decision.timers.set) instance.timers.set(timer.id, { at: timer.at, payload: timer.payload });
  for (const [index, issued] of decision.commands.entries()) {
    instance.sent += 1;
    instance.awaited.push({ sequence: instance.sent, command: { ...issued, commandId: instanceCommandId(manager.name, instance.key ?? "", cause, index) } });
  }
  return decision;
}

/** The message as the runtime would hand it to the instance, and the cause its commands' ids name. */
function arrived(manager: AnyTypedManager, instance: TestInstance, message: LooseMessage): { full: AnyProcessMessage; cause: string } {
  if (message.type === "timer") {
    const fired = fire(instance, message);
    return { full: fired, cause: `timer:${fired.id}@${Date.parse(fired.at)}` };
  }
  if (message.type === "rejected" || message.type === "accepted") {
    const { message: outcome, sequence } = outcomeMessage(manager, instance.awaited, message as LooseOutcome);
    return { full: outcome, cause: outcomeCause(outcome.type, sequence) };
  }
  const event = envelope(manager, instance, message);
  return { full: event, cause: event.eventId };
}

function fire(instance: TestInstance, message: LooseMessage): TimerFired<unknown> {
  const id = message.id ?? "";
  if (message.at !== undefined) return { type: "timer", id, at: instant(message.at), payload: message.payload };
  const timer = instance.timers.get(id);
  if (!timer) throw new Error(`no timer ${id} is pending (pending: ${[...instance.timers.keys()].join(", ") || "none"})`);
  return { type: "timer", id, at: new Date(timer.at).toISOString(), payload: timer.payload };
}

function envelope(manager: AnyTypedManager, instance: TestInstance, event: LooseMessage): EventEnvelope {
  const known = manager.events.get(event.type);
  if (!known) throw new Error(`${manager.name} follows no event type ${event.type}`);
  const parsed = known.schema.safeParse(event.data);
  if (!parsed.success) throw new Error(`invalid test event ${event.type}: ${parsed.error.message}`);
  if (event.aggregateId === undefined) throw new Error(`test event ${event.type} names no aggregateId`);
  const streamId = `${known.aggregate}/${event.aggregateId}`;
  const version = (instance.versions.get(streamId) ?? 0) + 1;
  instance.versions.set(streamId, version);
  instance.events += 1;
  const full: EventEnvelope = {
    eventId: `test-event-${instance.events}`,
    streamId,
    aggregate: known.aggregate,
    aggregateId: event.aggregateId,
    version,
    type: event.type,
    schemaVersion: 1,
    data: parsed.data,
    metadata: {
      commandId: TEST_COMMAND_METADATA.commandId,
      correlationId: TEST_COMMAND_METADATA.correlationId,
      causationId: TEST_COMMAND_METADATA.causationId,
      recordedAt: TEST_COMMAND_METADATA.now,
      ...event.metadata,
    },
  };
  const key = manager.correlate(full);
  if (key === undefined) {
    throw new Error(`${event.type} of ${streamId} correlates to no instance (${manager.name}'s correlate returned undefined): the runtime never hands it to decide`);
  }
  if (instance.key !== undefined && instance.key !== key) throw new Error(`${event.type} correlates to instance ${key}, the test's earlier messages to ${instance.key}`);
  instance.key = key;
  return full;
}

/** Timers compare by instant, so "…T10:00:00Z" equals "…T10:00:00.000Z". */
const instant = (at: string | number): string => new Date(typeof at === "number" ? at : Date.parse(at)).toISOString();

function outcome<S, P>(decision: CheckedDecision, instance: TestInstance): ProcessOutcome<S, P> {
  const actual = {
    commands: decision.commands,
    timers: { set: decision.timers.set.map((t) => ({ id: t.id, at: instant(t.at), payload: t.payload })), cancel: decision.timers.cancel },
  };
  const self: ProcessOutcome<S, P> = reportedAtCaller({
    then(expected) {
      const wanted = {
        commands: expected.commands ?? [],
        timers: { set: (expected.timers?.set ?? []).map((t) => ({ id: t.id, at: instant(t.at), payload: t.payload })), cancel: expected.timers?.cancel ?? [] },
      };
      if (!deepEqual(actual, wanted)) throw new Error(`decision differs\nexpected: ${JSON.stringify(wanted)}\nactual:   ${JSON.stringify(actual)}`);
      return self;
    },
    thenNothing() {
      return self.then({});
    },
    thenState(expected) {
      if (!deepEqual(instance.state, expected)) throw new Error(`state differs\nexpected: ${JSON.stringify(expected)}\nactual:   ${JSON.stringify(instance.state)}`);
      return self;
    },
    thenTimers(expected) {
      const pending = [...instance.timers].sort(([a, x], [b, y]) => x.at - y.at || (a < b ? -1 : 1)).map(([id, t]) => ({ id, at: instant(t.at), payload: t.payload }));
      const wanted = expected.map((t) => ({ id: t.id, at: instant(t.at), payload: t.payload }));
      if (!deepEqual(pending, wanted)) throw new Error(`pending timers differ\nexpected: ${JSON.stringify(wanted)}\nactual:   ${JSON.stringify(pending)}`);
      return self;
    },
  });
  return self;
}

