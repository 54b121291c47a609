import { RUNTIME_COMMAND_ID_PREFIX } from "../ids/index.js";
import type { IssuedCommand } from "./issued-command.js";

/**
 * The outcomes of its own commands a stateful process manager may ask to receive as messages
 * (`outcomes: ["rejected", "accepted"]`): its aggregate refused the command, or accepted it.
 */
export type OutcomeKind = "rejected" | "accepted";

/** Every outcome kind, for checking a definition written without types. */
export const OUTCOME_KINDS: readonly OutcomeKind[] = ["rejected", "accepted"];

/** A command an instance sent, as its outcome names it: what `command()` issued, and the id it went out with. */
export interface SentCommand extends IssuedCommand {
  /** `edge-cqrs:pm:<manager>:<key>:<cause>:<n>`: the `commandId` (and causation) of the events it appended. */
  readonly commandId: string;
}

/**
 * The aggregate refused a command the instance sent. Final: the command is not retried, so this
 * is where a saga compensates. `type` is lower case, so it never names an event.
 *
 * @example
 * case "rejected":
 *   if (message.command.command === "credit-for-transfer") return { commands: [command(account, state.from, "refund-transfer", …)] };
 */
export interface CommandRejectedMessage {
  readonly type: "rejected";
  readonly command: SentCommand;
  /**
   * `rejected` when the aggregate's rules refused it (`reject(reason)` in its `decide`); otherwise
   * the runtime's code for a command that could not run: `invalid_command` (its payload fails the
   * schema), `unknown_command`, `internal_command`, `payload_too_large`, `idempotency_key_reuse`.
   */
  readonly error: string;
  /** The aggregate's stable reason (`insufficient_funds`) when `error` is `rejected`; null otherwise. */
  readonly reason: string | null;
  /** The refusal's human-readable message. */
  readonly message: string;
  /** The ISO-8601 instant the refusal reached the instance: time as data, for a timer set in answer. */
  readonly at: string;
}

/** The aggregate accepted a command the instance sent (or had already: a command id is run once). */
export interface CommandAcceptedMessage {
  readonly type: "accepted";
  readonly command: SentCommand;
  /** The stream the command wrote, `"<aggregate>/<id>"`. */
  readonly streamId: string;
  /** The stream's version after the command. */
  readonly version: number;
  /**
   * The events it appended, in order; none when the aggregate accepted it without a change. Their
   * data is on the stream: a manager that needs it follows that aggregate (`from`).
   */
  readonly events: readonly { readonly eventId: string; readonly type: string; readonly version: number }[];
  /** The ISO-8601 instant the answer reached the instance. */
  readonly at: string;
}

/** The outcome messages of the kinds `O`: none unless the manager asked for them. */
export type OutcomeMessage<O extends OutcomeKind> = ("rejected" extends O ? CommandRejectedMessage : never) | ("accepted" extends O ? CommandAcceptedMessage : never);

/** Any outcome message, its kind erased: what the runtime hands an instance. */
export type AnyOutcomeMessage = CommandRejectedMessage | CommandAcceptedMessage;

/**
 * Deterministic id of the `index`-th command a message causes in one instance, in the runtime's
 * reserved namespace: `edge-cqrs:pm:<manager>:<key>:<cause>:<n>`, where the cause is the event's
 * id, `timer:<timerId>@<at ms>` for a timer, or `<rejected|accepted>:<n>` for the outcome of the
 * instance's n-th command. A redelivered event or a re-run firing issues the same ids, which the
 * aggregate deduplicates; an outcome is decided on once.
 */
export function instanceCommandId(manager: string, key: string, cause: string, index: number): string {
  return `${RUNTIME_COMMAND_ID_PREFIX}pm:${manager}:${key}:${cause}:${index}`;
}

/** The cause part of the ids of the commands an outcome causes: its kind and the instance's sequence number of the command. */
export const outcomeCause = (kind: OutcomeKind, sequence: number): string => `${kind}:${sequence}`;
