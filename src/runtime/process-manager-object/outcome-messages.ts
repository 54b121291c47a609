import type { CommandRequest, CommandSuccess } from "../aggregate-protocol/index.js";
import type { ErrorBody } from "../errors/index.js";
import type { AnyOutcomeMessage, CommandAcceptedMessage, CommandRejectedMessage, SentCommand } from "../process-manager/index.js";
import type { OutboxEntry, OutcomeSummary, TimerCause } from "./instance-store.js";

/** The command as its outcome names it: what the manager issued, and the id it went out with. */
function sentCommand(request: CommandRequest): SentCommand {
  return { aggregate: request.aggregate, id: request.id, command: request.command, payload: request.payload, commandId: request.commandId };
}

/** The aggregate's acceptance of an outbox entry, as `decide` sees it. */
export function acceptedMessage(entry: OutboxEntry, body: CommandSuccess, at: string): CommandAcceptedMessage {
  return { type: "accepted", command: sentCommand(entry.request), streamId: body.streamId, version: body.version, events: body.events, at };
}

/** The aggregate's refusal of an outbox entry, as `decide` sees it: the reason only when its rules refused it. */
export function rejectedMessage(entry: OutboxEntry, body: ErrorBody, at: string): CommandRejectedMessage {
  const reason = body.error === "rejected" && typeof body.reason === "string" ? body.reason : null;
  return { type: "rejected", command: sentCommand(entry.request), error: body.error, reason, message: body.message, at };
}

/** Where the commands an outcome causes come from: the sent command's correlation and trace. */
export function outcomeCauseOf(request: CommandRequest): TimerCause {
  return {
    correlationId: request.correlationId ?? request.commandId,
    messageId: request.commandId,
    ...(request.traceparent !== undefined && { traceparent: request.traceparent }),
  };
}

/** An outcome as the instance's recent decisions list it. */
export function outcomeSummary(message: AnyOutcomeMessage): OutcomeSummary {
  const { commandId, aggregate, id, command } = message.command;
  const streamId = `${aggregate}/${id}`;
  return message.type === "rejected"
    ? { kind: "rejected", commandId, streamId, command, error: message.error, reason: message.reason }
    : { kind: "accepted", commandId, streamId, command, version: message.version };
}
