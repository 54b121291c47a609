import type { z } from "zod";
import {
  CommandRejected,
  fold,
  type AggregateDefinition,
  type AnyAggregate,
  type CommandMetadata,
  type CommandOf,
  type EventOf,
  type SchemaMap,
} from "../aggregate/index.js";
import { issuesOf, type IssueBody } from "../errors/index.js";
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

/**
 * Given/when/then for deciders: pure, no runtime, no storage. Commands are parsed with their
 * zod schema first, as the runtime would, so an invalid test command fails loudly.
 *
 * @example
 * given(order, [{ type: "OrderPlaced", data: placed }])
 *   .when({ type: "ship", data: {} })
 *   .then([{ type: "OrderShipped", data: { shippedAt: "2026-01-01T00:00:00.000Z" } }]);
 * given(order).whenInvalid({ type: "place", data: { items: [] } }); // the payload fails its schema
 */
export function given<N extends string, S, C extends SchemaMap, E extends SchemaMap>(
  aggregate: AggregateDefinition<N, S, C, E>,
  history: readonly EventOf<E>[] = [],
) {
  return reportedAtCaller({
    /**
     * Asserts the command's payload fails its schema, as the runtime would answer 400
     * `invalid_command`; returns the issues for finer assertions.
     */
    whenInvalid(command: UncheckedTestCommand<C>): IssueBody[] {
      const schema = ownEntry(aggregate.commands, command.type);
      if (!schema) throw new Error(`${aggregate.name} has no command ${command.type}`);
      const parsed = schema.safeParse(command.data);
      if (parsed.success) throw new Error(`expected ${command.type} to be invalid, but its payload passed the schema`);
      return issuesOf(parsed.error);
    },

    when(command: TestCommand<C>): DecisionOutcome<S, E> {
      const erased: AnyAggregate = aggregate;
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
