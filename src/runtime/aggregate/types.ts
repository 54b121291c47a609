import type { z } from "zod";
import type { Actor } from "../auth/index.js";
import type { CommandNamed, Precondition, PreconditionRule } from "./precondition.js";

/** Named zod schemas: command names to payload schemas, or event types to data schemas. */
export type SchemaMap = Record<string, z.ZodType>;

/**
 * What the runtime tells a decider about the command it runs. Time and ids arrive here so
 * that `decide` stays pure (no `Date.now()`, no random ids inside it).
 */
export interface CommandMetadata {
  /** The command id (`Idempotency-Key`, or generated). */
  readonly commandId: string;
  /** Groups everything one user action caused; from `X-Correlation-Id` or the command id. */
  readonly correlationId: string;
  /** The message that caused this command: the command id itself, or the event a process manager reacted to. */
  readonly causationId: string;
  /** ISO-8601 instant the aggregate received the command. */
  readonly now: string;
  /**
   * Who sent it, as the application's authentication said (the default bearer tokens give
   * `{id: "api"}`); commands a process manager sends carry `edge-cqrs:process-manager:<name>`.
   * Its `id` is recorded on every event as `metadata.actor`.
   */
  readonly actor: Actor;
}

/** A command as `decide` sees it: a union over the aggregate's commands, discriminated by `type`. */
export type CommandOf<C extends SchemaMap> = {
  [K in keyof C & string]: { readonly type: K; readonly data: z.output<C[K]>; readonly metadata: CommandMetadata };
}[keyof C & string];

/** An event as `decide` returns it and `evolve` folds it: a union discriminated by `type`. */
export type EventOf<E extends SchemaMap> = {
  [K in keyof E & string]: { readonly type: K; readonly data: z.output<E[K]> };
}[keyof E & string];

/**
 * Upcasters per event type, keyed by the stored schema version they read: `{ 1: v1 => v2 }`.
 * An event's current schema version is one more than its highest upcaster key (1 without upcasters).
 */
export type Upcasters<E extends SchemaMap> = {
  readonly [K in keyof E]?: Readonly<Record<number, (data: unknown) => unknown>>;
};

/** Everything a user writes to define an aggregate (the decider pattern). */
export interface AggregateConfig<N extends string, S, C extends SchemaMap, E extends SchemaMap> {
  /** Stream category and first segment of the object name `"<name>/<id>"`; `[a-z][a-z0-9-]*`. */
  readonly name: N;
  /** Command names (kebab-case imperatives, the last URL segment) to payload schemas. */
  readonly commands: C;
  /**
   * Commands only the application's process managers (and the runtime) may send, such as a step
   * of a saga. They have no HTTP route: absent from the OpenAPI document and the command
   * contracts, and refused with `403 internal_command` whatever the caller's token. Default none.
   */
  readonly internalCommands?: readonly (keyof C & string)[];
  /** Event types (past tense) to the current schema of their data. */
  readonly events: E;
  /** The state of a stream that has no events yet. */
  initialState(): S;
  /** Pure: the events a command causes in a state, or a thrown {@link CommandRejected}. */
  decide(command: CommandOf<C>, state: S): readonly EventOf<E>[];
  /** Pure: the state after one event. */
  evolve(state: S, event: EventOf<E>): S;
  /** Write a snapshot every N events so waking costs at most N events of folding. Default 100. */
  readonly snapshotEvery?: number;
  /**
   * Bump when the state's shape changes in a way the code fingerprint cannot see (for example
   * a changed helper that `evolve` imports); older snapshots are then ignored.
   */
  readonly stateVersion?: number;
  readonly upcasters?: Upcasters<E>;
  /**
   * Rules over other aggregates' current state, per command, each built with the `rule` handed in: read and
   * checked in the command's turn before `decide`, for every sender (HTTP, process managers, RPC).
   * Nothing is locked; see "Rules that span aggregates" in docs/guide.md.
   */
  readonly preconditions?: Preconditions<C>;
}

/** Per command, the preconditions checked before `decide`; each `check` sees that command's type. */
export type Preconditions<C extends SchemaMap> = {
  readonly [K in keyof C & string]?: (rule: PreconditionRule<CommandNamed<C, K>>) => readonly Precondition<CommandNamed<C, K>>[];
};

/** An aggregate ready for the runtime: the user's config plus what the runtime derives from it. */
export interface AggregateDefinition<
  N extends string = string,
  S = unknown,
  C extends SchemaMap = SchemaMap,
  E extends SchemaMap = SchemaMap,
> extends AggregateConfig<N, S, C, E> {
  readonly snapshotEvery: number;
  /** Identifies the state's shape; a snapshot stored under another value is ignored, never misread. */
  readonly stateSchema: string;
  /** The schema version new events of `type` are written with. */
  schemaVersionOf(type: string): number;
  /** Whether `command` is internal: sent by process managers and the runtime only, never over HTTP. */
  isInternal(command: string): boolean;
  /** The command's preconditions, built once from `preconditions`, in the order declared. */
  preconditionsFor(command: string): readonly Precondition[];
}

/**
 * Any aggregate, with its types erased: what the runtime's generic machinery handles. Written out
 * structurally (not as `AggregateDefinition<string, unknown, …>`) because TypeScript measures the
 * generic's type parameters as invariant; `decide` and `evolve` are methods, so their parameters
 * are checked bivariantly and every concrete aggregate is assignable here without `any`.
 */
export interface AnyAggregate {
  readonly name: string;
  readonly commands: SchemaMap;
  readonly events: SchemaMap;
  readonly snapshotEvery: number;
  readonly stateSchema: string;
  readonly upcasters?: Readonly<Record<string, Readonly<Record<number, (data: unknown) => unknown>> | undefined>>;
  initialState(): unknown;
  decide(
    command: { readonly type: string; readonly data: unknown; readonly metadata: CommandMetadata },
    state: unknown,
  ): readonly { readonly type: string; readonly data: unknown }[];
  evolve(state: unknown, event: { readonly type: string; readonly data: unknown }): unknown;
  schemaVersionOf(type: string): number;
  isInternal(command: string): boolean;
  /** A command's preconditions; optional so that hand-built aggregates (tests, tools) need none. */
  preconditionsFor?(command: string): readonly Precondition[];
}

/** The state type of an aggregate definition. */
export type StateOf<A> = A extends AggregateDefinition<string, infer S, SchemaMap, SchemaMap> ? S : never;
/** The event union of an aggregate definition. */
export type EventsOf<A> = A extends AggregateDefinition<string, unknown, SchemaMap, infer E> ? EventOf<E> : never;
/** The command union of an aggregate definition (without metadata). */
export type CommandsOf<A> = A extends AggregateDefinition<string, unknown, infer C, SchemaMap>
  ? { [K in keyof C & string]: { readonly type: K; readonly data: z.input<C[K]> } }[keyof C & string]
  : never;
