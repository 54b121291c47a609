import type { CommandOutcome, CommandRequest, CommandSuccess } from "../aggregate-protocol/index.js";
import { Backoff, SAFETY_ALARM_DELAY_MS, SingleFlight, type PassResult } from "../durable-core/index.js";
import type { ErrorBody } from "../errors/index.js";
import { traceIdOf, type LogFields } from "../observability/index.js";
import type { InstanceStore, OutboxEntry } from "./instance-store.js";

/** Sends one command to its aggregate; swapped in tests to inject a failure. */
export type CommandSender = (request: CommandRequest) => Promise<CommandOutcome>;

/**
 * A command whose send failed is retried from the alarm: 1 s, 2 s, 4 s … capped at one minute. It
 * is retried until it is delivered or refused: a failure here is the aggregate's object being
 * unreachable or the Worker misconfigured, which an operator fixes; the command must not be lost.
 */
export const COMMAND_RETRY_BASE_MS = 1_000;
export const COMMAND_RETRY_MAX_MS = 60_000;
/** The pace of a failed send's retries, and of a timer whose decision threw. */
export const COMMAND_BACKOFF = new Backoff({ baseMs: COMMAND_RETRY_BASE_MS, maxMs: COMMAND_RETRY_MAX_MS });

/**
 * If the instance is evicted between committing a decision and sending its commands, the alarm
 * comes back this soon to send them.
 */
export const COMMAND_SAFETY_DELAY_MS = SAFETY_ALARM_DELAY_MS;

/** Where the outbox reports: its instance adds which instance it is before the line is written. */
export type OutboxLog = (level: "warn" | "error", fields: LogFields) => void;

/**
 * What the instance does with an aggregate's final answer: takes the command out of the outbox
 * and, when its manager asked for that outcome, keeps it to decide on, in one transaction.
 * Synchronous, so nothing else runs between the answer and its record.
 */
export interface OutcomeSink {
  accepted(entry: OutboxEntry, body: CommandSuccess): void;
  refused(entry: OutboxEntry, status: number, body: ErrorBody): void;
}

/**
 * Sends the instance's outbox, oldest first, one command at a time: commands to one aggregate
 * arrive in the order they were decided. An answer is final, accepted or refused (the aggregate's
 * rules, a bad payload): the instance records it (and decides on it, when its manager asked for
 * outcomes), then the next command goes, including any the outcome's decision added. A failure
 * to send stops the run, keeping the order, and the alarm retries with backoff.
 */
export class CommandOutbox {
  /** One run at a time; a request made during a run makes it pass once more. */
  private readonly sends = new SingleFlight<void>({ pass: () => this.pass(), merge: () => undefined });

  constructor(
    private readonly store: InstanceStore,
    public send: CommandSender,
    private readonly outcomes: OutcomeSink,
    private readonly log: OutboxLog,
    /** Called after every run, to set the alarm for what still waits. */
    private readonly onSettled: () => void,
  ) {}

  /** Sends what is pending; a call while one runs makes it loop once more. Never throws. */
  async dispatch(): Promise<void> {
    await this.sends.run();
    this.onSettled();
  }

  /**
   * One pass over the outbox, oldest first, until it is empty; after a failure the next try is the
   * alarm's, at the backoff's pace. The head is read again after each answer, because deciding on
   * an outcome may have added commands.
   */
  private async pass(): Promise<PassResult> {
    for (let entry = this.store.nextInOutbox(); entry !== undefined; entry = this.store.nextInOutbox()) {
      if (!(await this.deliver(entry))) return "stop";
    }
    return "done";
  }

  /** Sends one command; false when it failed and everything after it must wait. */
  private async deliver(entry: OutboxEntry): Promise<boolean> {
    let outcome: CommandOutcome;
    try {
      outcome = await this.send(entry.request);
    } catch (error) {
      this.failed(entry, error instanceof Error ? error.message : String(error));
      return false;
    }
    if (outcome.ok) {
      this.outcomes.accepted(entry, outcome.body);
      return true;
    }
    // A 500 is the Worker's configuration (a missing binding), not the aggregate's answer: retry.
    if (outcome.status === 500) {
      this.failed(entry, `${outcome.body.error}: ${outcome.body.message}`);
      return false;
    }
    this.outcomes.refused(entry, outcome.status, outcome.body);
    const { aggregate, id, command, causationId, traceparent } = entry.request;
    this.log("warn", {
      event: "process-manager.command-refused",
      msg: `${aggregate}/${id} refused ${command} (${entry.commandId}): ${outcome.body.error} ${outcome.body.message}`,
      streamId: `${aggregate}/${id}`,
      command,
      commandId: entry.commandId,
      causationId,
      error: outcome.body.error,
      message: outcome.body.message,
      traceId: traceIdOf(traceparent),
    });
    return true;
  }

  private failed(entry: OutboxEntry, error: string): void {
    const attempts = entry.attempts + 1;
    const delay = COMMAND_BACKOFF.delayMs(attempts);
    this.store.sendFailed(entry.seq, error, Date.now() + delay);
    this.log("warn", {
      event: "process-manager.command-retry",
      msg: `sending ${entry.commandId} failed (attempt ${attempts}), retrying in ${delay} ms: ${error}`,
      commandId: entry.commandId,
      attempts,
      delayMs: delay,
      error,
    });
  }
}
