import type { z } from "zod";
import {
  CommandRejected,
  firstRefusal,
  fold,
  type AggregateDefinition,
  type AnyAggregate,
  type CommandMetadata,
  type CommandOf,
  type EventOf,
  type SchemaMap,
} from "../aggregate/index.js";
import { issuesOf, type IssueBody } from "../errors/index.js";
import { streamIdOf } from "../ids/index.js";
import { ownEntry } from "../own-entry/index.js";
import { deepEqual } from "./deep-equal.js";
import { reportedAtCaller } from "./reported-at-caller.js";

/** Metadata the kit gives a command unless the test says otherwise: fixed, so results are repeatable. */
export const TEST_COMMAND_METADATA: CommandMetadata = {
  commandId: "test-command",
  correlationId: "test-correlation",
  causationId: "test-command",
  now: "2026-01-01T00:00:00.000Z",
  actor: { id: "test-actor" },
};

/** The id the kit gives the aggregate under test unless `withId` says otherwise: what a precondition's `id` receives. */
export const TEST_AGGREGATE_ID = "test-aggregate";

/** A command as a test writes it: the payload typed as clients send it (before schema defaults), metadata optional. */
export type TestCommand<C extends SchemaMap> = {
  [K in keyof C & string]: { type: K; data: z.input<C[K]>; metadata?: Partial<CommandMetadata> };
}[keyof C & string];

/** A command whose payload may break its schema: what `whenInvalid` takes. */
export type UncheckedTestCommand<C extends SchemaMap> = {
  [K in keyof C & string]: { type: K; data: unknown };
}[keyof C & string];

/** What a decider did with the command: the events, or the rejection, and the state after. */
export interface DecisionOutcome<S, E extends SchemaMap> {
  /** Asserts the decider emitted exactly these events, in order. */
  then(expected: readonly EventOf<E>[]): DecisionOutcome<S, E>;
  /** Asserts the decider refused the command, with this reason when one is given. */
  thenRejects(reason?: string): void;
  /** Asserts the state after folding the emitted events. */
  thenState(expected: S): DecisionOutcome<S, E>;
}

/** A decider's starting point: its history, the other aggregates its preconditions read, then the command. */
export interface DeciderSpecification<S, C extends SchemaMap, E extends SchemaMap> {
  /**
   * The current state of another aggregate, folded from its events, for the command's
   * preconditions. A stream the test names nowhere is read as its `initialState()`, as the runtime
   * reads a never-written one.
   */
  withRelated<N2 extends string, S2, C2 extends SchemaMap, E2 extends SchemaMap>(
    aggregate: AggregateDefinition<N2, S2, C2, E2>,
    id: string,
    history: readonly EventOf<E2>[],
  ): DeciderSpecification<S, C, E>;
  /** The same, with the other aggregate's state given as it is rather than folded from events. */
  withRelatedState<N2 extends string, S2, C2 extends SchemaMap, E2 extends SchemaMap>(
    aggregate: AggregateDefinition<N2, S2, C2, E2>,
    id: string,
    state: S2,
  ): DeciderSpecification<S, C, E>;
  /** The id of the aggregate under test (default {@link TEST_AGGREGATE_ID}), for preconditions that use it. */
  withId(id: string): DeciderSpecification<S, C, E>;
  /**
   * Asserts the command's payload fails its schema, as the runtime would answer 400
   * `invalid_command`; returns the issues for finer assertions.
   */
  whenInvalid(command: UncheckedTestCommand<C>): IssueBody[];
  /** Runs the command's preconditions, then `decide`, as the runtime does. */
  when(command: TestCommand<C>): DecisionOutcome<S, E>;
}

/**
 * Given/when/then for deciders: pure, no runtime, no storage. Commands are parsed with their
 * zod schema first, as the runtime would, so an invalid test command fails loudly. A command's
 * preconditions run first, over the other aggregates' states the test supplies with `withRelated`.
 *
 * @example
 * given(order, [{ type: "OrderPlaced", data: placed }])
 *   .when({ type: "ship", data: {} })
 *   .then([{ type: "OrderShipped", data: { shippedAt: "2026-01-01T00:00:00.000Z" } }]);
 * given(order).whenInvalid({ type: "place", data: { items: [] } }); // the payload fails its schema
 * given(order)
 *   .withRelated(customer, "c-1", [registered, blocked])
 *   .when({ type: "place", data: { customerId: "c-1", items } })
 *   .thenRejects("customer_blocked");
 */
export function given<N extends string, S, C extends SchemaMap, E extends SchemaMap>(
  aggregate: AggregateDefinition<N, S, C, E>,
  history: readonly EventOf<E>[] = [],
): DeciderSpecification<S, C, E> {
  return specification(aggregate, history, new Map(), TEST_AGGREGATE_ID);
}

function specification<N extends string, S, C extends SchemaMap, E extends SchemaMap>(
  aggregate: AggregateDefinition<N, S, C, E>,
  history: readonly EventOf<E>[],
  related: ReadonlyMap<string, unknown>,
  id: string,
): DeciderSpecification<S, C, E> {
  const erased: AnyAggregate = aggregate;
  return reportedAtCaller<DeciderSpecification<S, C, E>>({
    withRelated(other, otherId, events) {
      const otherErased: AnyAggregate = other;
      const state = fold(otherErased, other.initialState(), events);
      return specification(aggregate, history, new Map(related).set(streamIdOf(other.name, otherId), state), id);
    },

    withRelatedState(other, otherId, state) {
      return specification(aggregate, history, new Map(related).set(streamIdOf(other.name, otherId), state), id);
    },

    withId(newId) {
      return specification(aggregate, history, related, newId);
    },

    whenInvalid(command) {
      const schema = ownEntry(aggregate.commands, command.type);
      if (!schema) throw new Error(`${aggregate.name} has no command ${command.type}`);
      const parsed = schema.safeParse(command.data);
      if (parsed.success) throw new Error(`expected ${command.type} to be invalid, but its payload passed the schema`);
      return issuesOf(parsed.error);
    },

    when(command) {
      const state = fold(erased, aggregate.initialState(), history) as S;
      const schema = ownEntry(aggregate.commands, command.type);
      if (!schema) throw new Error(`${aggregate.name} has no command ${command.type}`);
      const parsed = schema.safeParse(command.data);
      if (!parsed.success) throw new Error(`invalid test command ${command.type}: ${parsed.error.message}`);
      const full = {
        type: command.type,
        data: parsed.data,
        metadata: { ...TEST_COMMAND_METADATA, ...command.metadata },
      } as CommandOf<C>;
      const ownStream = streamIdOf(aggregate.name, id);
      // As in the runtime: the aggregate's own stream reads its own state, any other what the test gave, or its initial state.
      const refusal = firstRefusal(erased, full, id, ({ aggregate: name, id: otherId }, other) => {
        const streamId = streamIdOf(name, otherId);
        if (streamId === ownStream) return state;
        return related.has(streamId) ? related.get(streamId) : other.initialState();
      });
      if (refusal) return outcome<S, E>(erased, state, undefined, new CommandRejected(refusal.reason, refusal.message));
      let events: readonly EventOf<E>[] | undefined;
      let rejection: CommandRejected | undefined;
      try {
        events = aggregate.decide(full, state);
      } catch (error) {
        if (!(error instanceof CommandRejected)) throw error;
        rejection = error;
      }
      // The runtime refuses to store an event its own schema rejects; so does the kit, earlier.
      for (const event of events ?? []) {
        const result = ownEntry(aggregate.events, event.type)?.safeParse(event.data);
        if (!result?.success) {
          throw new Error(`decider emitted ${event.type} that fails its schema: ${result?.error.message ?? "unknown event type"}`);
        }
      }
      return outcome<S, E>(erased, state, events, rejection);
    },
  });
}

function outcome<S, E extends SchemaMap>(
  aggregate: AnyAggregate,
  before: S,
  events: readonly EventOf<E>[] | undefined,
  rejection: CommandRejected | undefined,
): DecisionOutcome<S, E> {
  const self: DecisionOutcome<S, E> = reportedAtCaller({
    then(expected) {
      if (rejection) throw new Error(`expected events, but the command was rejected: ${rejection.reason}`);
      if (!deepEqual(events, expected)) {
        throw new Error(`events differ\nexpected: ${JSON.stringify(expected)}\nactual:   ${JSON.stringify(events)}`);
      }
      return self;
    },
    thenRejects(reason) {
      if (!rejection) throw new Error(`expected a rejection, but the decider emitted ${JSON.stringify(events)}`);
      if (reason !== undefined && rejection.reason !== reason) {
        throw new Error(`expected rejection "${reason}", got "${rejection.reason}"`);
      }
    },
    thenState(expected) {
      if (rejection) throw new Error(`expected a state, but the command was rejected: ${rejection.reason}`);
      const after = fold(aggregate, before, events ?? []);
      if (!deepEqual(after, expected)) {
        throw new Error(`state differs\nexpected: ${JSON.stringify(expected)}\nactual:   ${JSON.stringify(after)}`);
      }
      return self;
    },
  });
  return self;
}
