import type { AnyOutcomeMessage, IssuedCommand, OutcomeKind, SentCommand } from "../process-manager/index.js";
import { deepEqual } from "./deep-equal.js";
import { TEST_COMMAND_METADATA } from "./given.js";

/**
 * The aggregate refused a command the instance sent: `reason` as its `decide` gave it
 * (`reject("insufficient_funds")`), or `error` for a refusal by the runtime (`invalid_command`, …).
 * The command must be one the instance sent and has no outcome for yet, as in the runtime.
 */
export type TestRejection =
  | { readonly type: "rejected"; readonly command: IssuedCommand; readonly reason: string; readonly message?: string }
  | { readonly type: "rejected"; readonly command: IssuedCommand; readonly error: string; readonly message?: string };

/** The aggregate accepted a command the instance sent and has no outcome for yet. */
export interface TestAcceptance {
  readonly type: "accepted";
  readonly command: IssuedCommand;
  /** The types of the events the command appended, in order; none by default. */
  readonly events?: readonly string[];
  /** The stream's version after the command; by default the number of its events. */
  readonly version?: number;
}

/** The outcomes a test may feed a manager that asked for the kinds `O`. */
export type TestOutcome<O extends OutcomeKind> = ("rejected" extends O ? TestRejection : never) | ("accepted" extends O ? TestAcceptance : never);

/** A test outcome with its type erased. */
export type LooseOutcome = {
  readonly type: OutcomeKind;
  readonly command?: IssuedCommand;
  readonly reason?: string;
  readonly error?: string;
  readonly message?: string;
  readonly events?: readonly string[];
  readonly version?: number;
};

/** A command the instance sent that has no outcome yet, with its place in the instance's outbox. */
export interface AwaitedCommand {
  readonly sequence: number;
  readonly command: SentCommand;
}

/**
 * The outcome message the runtime would hand the instance, for a command it is awaiting; takes
 * the command off `awaited`. Throws when the manager did not ask for this kind of outcome or the
 * instance sent no such command: the runtime would never deliver either.
 */
export function outcomeMessage(manager: { readonly name: string; readonly outcomes: ReadonlySet<OutcomeKind> }, awaited: AwaitedCommand[], outcome: LooseOutcome): { message: AnyOutcomeMessage; sequence: number } {
  if (!manager.outcomes.has(outcome.type)) {
    throw new Error(`${manager.name} does not receive ${outcome.type} outcomes: declare outcomes: ["${outcome.type}"] for the runtime to deliver them`);
  }
  const { command } = outcome;
  const index = awaited.findIndex(({ command: sent }) => command !== undefined && deepEqual(issuedPart(sent), issuedPart(command)));
  if (index === -1) {
    const waiting = awaited.map(({ command: sent }) => JSON.stringify(issuedPart(sent))).join(", ") || "none";
    throw new Error(`the instance sent no command ${JSON.stringify(command)} that awaits an outcome (awaiting: ${waiting})`);
  }
  const [{ sequence, command: sent }] = awaited.splice(index, 1) as [AwaitedCommand];
  const at = TEST_COMMAND_METADATA.now;
  if (outcome.type === "rejected") {
    const error = outcome.error ?? "rejected";
    const reason = error === "rejected" ? (outcome.reason ?? null) : null;
    if (error === "rejected" && reason === null) throw new Error("a test rejection names the aggregate's reason, or a runtime error code as error");
    return { sequence, message: { type: "rejected", command: sent, error, reason, message: outcome.message ?? (reason ?? error).replaceAll("_", " "), at } };
  }
  const types = outcome.events ?? [];
  const version = outcome.version ?? types.length;
  const events = types.map((type, i) => ({ eventId: `test-outcome-${sequence}-${i + 1}`, type, version: version - types.length + i + 1 }));
  return { sequence, message: { type: "accepted", command: sent, streamId: `${sent.aggregate}/${sent.id}`, version, events, at } };
}

function issuedPart(command: IssuedCommand): IssuedCommand {
  return { aggregate: command.aggregate, id: command.id, command: command.command, payload: command.payload };
}
