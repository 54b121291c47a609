import type { z } from "zod";
import type { AnyAggregate, CommandMetadata, SchemaMap } from "./types.js";

/**
 * A precondition's answer when a command must not run: the same stable `reason` (and optional
 * message) a rejection from `decide` carries. The runtime answers it exactly as it answers
 * `reject(reason, message)`: 422 `rejected` with the reason, nothing stored.
 */
export interface Refusal {
  readonly reason: string;
  readonly message?: string;
}

/**
 * A refusal from a precondition's `check`.
 *
 * @example
 * check: (customer) => (customer.status === "blocked" ? refuse("customer_blocked", "The customer is blocked") : undefined)
 */
export function refuse(reason: string, message?: string): Refusal {
  return message === undefined ? { reason } : { reason, message };
}

/** One command of a command map as `decide` sees it: its name, its parsed payload, its metadata. */
export type CommandNamed<C extends SchemaMap, K extends keyof C & string> = {
  readonly type: K;
  readonly data: z.output<C[K]>;
  readonly metadata: CommandMetadata;
};

/** What a precondition's `id` sees: the command's name and parsed payload (metadata is set only when it runs). */
export type CommandPayloadOf<Cmd> = Cmd extends { readonly type: infer K; readonly data: infer D } ? { readonly type: K; readonly data: D } : never;

/** The state an aggregate definition folds to, read from its `initialState`. */
export type StateOfAggregate<A> = A extends { initialState(): infer S } ? S : never;

/**
 * A rule over another aggregate's current state, checked in the command's turn before `decide`.
 * Built with a {@link PreconditionRule}; this is its erased form, as the runtime holds it.
 */
export interface Precondition<Cmd = { readonly type: string; readonly data: unknown; readonly metadata: CommandMetadata }> {
  /** The other aggregate, whose current state `check` reads. */
  readonly aggregate: AnyAggregate;
  /** The other aggregate's id, from the command and the id of the aggregate the command goes to. */
  id(command: CommandPayloadOf<Cmd>, aggregateId: string): string;
  /** Pure: a refusal, or `undefined` to let the command go on to `decide`. */
  check(state: unknown, command: Cmd): Refusal | undefined;
}

/** What a user writes for one precondition of a command on aggregate `A`; `A`'s state type flows into `check`. */
export interface PreconditionConfig<Cmd, A extends AnyAggregate> {
  /**
   * The other aggregate's id. `aggregateId` is the id of the aggregate the command goes to, for a
   * rule kept in a stream of the same id (an account's `hold/<accountId>`).
   */
  id(command: CommandPayloadOf<Cmd>, aggregateId: string): string;
  /**
   * Pure, like `decide`: a {@link Refusal} from {@link refuse}, or `undefined`. A never-written
   * aggregate is read as its `initialState()`.
   */
  check(state: StateOfAggregate<A>, command: Cmd): Refusal | undefined;
}

/**
 * Builds one precondition of a command: the other aggregate's definition, then how to find its id
 * and what to check in its state. `preconditions` hands one to each command's list, already typed
 * for that command, so `A`'s state type and the command's payload type flow into `check`.
 *
 * Nothing is locked: the other aggregate may change between this read and the command's commit.
 * See "Rules that span aggregates" in docs/guide.md for the window and how to compensate for it.
 *
 * @example
 * defineAggregate({
 *   name: "order",
 *   // …
 *   preconditions: {
 *     place: (rule) => [
 *       rule(customer, {
 *         id: (command) => command.data.customerId,
 *         check: (customer) => (customer.status === "blocked" ? refuse("customer_blocked", "The customer is blocked") : undefined),
 *       }),
 *     ],
 *   },
 * });
 */
export type PreconditionRule<Cmd> = <A extends AnyAggregate>(aggregate: A, config: PreconditionConfig<Cmd, A>) => Precondition<Cmd>;

/** The one {@link PreconditionRule}: it pairs the definition with the config, erasing the state type the runtime supplies. */
export function rule<Cmd, A extends AnyAggregate>(aggregate: A, config: PreconditionConfig<Cmd, A>): Precondition<Cmd> {
  return {
    aggregate,
    id: (command, aggregateId) => config.id(command, aggregateId),
    // The runtime reads the state from `aggregate` itself, so it has `A`'s state type.
    check: (state, command) => config.check(state as StateOfAggregate<A>, command),
  };
}

/** The preconditions of a command, in the order declared (none for most commands). */
export function preconditionsOf(aggregate: AnyAggregate, command: string): readonly Precondition[] {
  return aggregate.preconditionsFor?.(command) ?? [];
}

/** One other aggregate's stream a command's preconditions read. */
export interface RelatedStream {
  readonly aggregate: string;
  readonly id: string;
}

/** The streams a command's preconditions read, each once, in declaration order. */
export function relatedStreamsOf(aggregate: AnyAggregate, command: { readonly type: string; readonly data: unknown }, aggregateId: string): RelatedStream[] {
  const seen = new Map<string, RelatedStream>();
  for (const p of preconditionsOf(aggregate, command.type)) {
    const related = { aggregate: p.aggregate.name, id: p.id(command, aggregateId) };
    seen.set(`${related.aggregate}/${related.id}`, related);
  }
  return [...seen.values()];
}

/**
 * Runs a command's preconditions over the states read for them, in order, and returns the first
 * refusal. `stateOf` answers a related stream's current state (its `initialState()` when never written).
 */
export function firstRefusal(
  aggregate: AnyAggregate,
  command: { readonly type: string; readonly data: unknown; readonly metadata: CommandMetadata },
  aggregateId: string,
  stateOf: (related: RelatedStream, other: AnyAggregate) => unknown,
): Refusal | undefined {
  for (const p of preconditionsOf(aggregate, command.type)) {
    const refusal = p.check(stateOf({ aggregate: p.aggregate.name, id: p.id(command, aggregateId) }, p.aggregate), command);
    if (refusal) return refusal;
  }
  return undefined;
}
