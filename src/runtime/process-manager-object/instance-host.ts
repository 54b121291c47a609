import type { CommandRequest, CommandSuccess } from "../aggregate-protocol/index.js";
import { AggregateClient } from "../aggregate-client/index.js";
import { runtimeActor } from "../auth/index.js";
import { AlarmScheduler, type AlarmJob } from "../durable-core/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import type { ErrorBody } from "../errors/index.js";
import { continueTrace, writeLog, type LogFields } from "../observability/index.js";
import {
  instanceCommandId,
  MAX_TIMERS_PER_INSTANCE,
  outcomeCause,
  type AnyOutcomeMessage,
  type AnyProcessMessage,
  type StatefulProcessManager,
  type TimerFired,
} from "../process-manager/index.js";
import { COMMAND_BACKOFF, COMMAND_SAFETY_DELAY_MS, CommandOutbox, type CommandSender } from "./command-outbox.js";
import { InstanceStore, type MessageSummary, type OutboxEntry, type TimerCause } from "./instance-store.js";
import type { InstanceView } from "./instance-view.js";
import { acceptedMessage, outcomeCauseOf, outcomeSummary, rejectedMessage } from "./outcome-messages.js";

/** What the process-manager object needs to know about the application it hosts. */
export interface ProcessManagerObjectOptions {
  readonly managers: ReadonlyMap<string, StatefulProcessManager>;
  /** The Durable Object namespace binding of the aggregates its commands go to. */
  readonly aggregatesBinding: string;
}

/** What an instance did with an event. */
export type ReceiveOutcome = "decided" | "duplicate";

/** One message to decide on, and what deciding on it consumes. */
interface Decision {
  readonly hosted: HostedInstance;
  readonly message: AnyProcessMessage;
  /** The message as the instance's recent decisions list it. */
  readonly summary: MessageSummary;
  /** Where the commands it issues come from: their correlation and trace. */
  readonly cause: TimerCause;
  /** The part of their command ids that names the message. */
  readonly causeId: string;
  /** Their causation id, when it is not `causeId`: an outcome's commands were caused by the command it answers. */
  readonly causationId?: string;
  /** The stream's new high-water mark (an event), the timer that fired, or the outcome decided on. */
  readonly consumed: { readonly mark?: { streamId: string; version: number }; readonly firedTimer?: string; readonly decidedOutcome?: number };
}

/** The instance this object hosts, in memory. */
interface HostedInstance {
  readonly manager: StatefulProcessManager;
  readonly key: string;
  state: unknown;
  stored: boolean;
}

/**
 * Everything one process-manager object does, behind its Durable Object shell: it hosts one
 * instance (`"<manager>/<key>"`). Each message (an event forwarded by the manager's queue
 * consumer, or a timer from the alarm) is decided on in one storage transaction that writes the
 * state, the stream's high-water mark or the fired timer's deletion, the new timers and the
 * commands to send; the outbox then sends the commands, and the alarm retries what it could not.
 * An aggregate's answer to a command is recorded when it arrives, and when the manager asked for
 * that outcome it is decided on like any message, in the order the commands were sent. Its one
 * alarm job is the instance's earliest due timer, outbox retry or outcome.
 */
export class InstanceHost implements AlarmJob {
  readonly name = "instance";
  private readonly store: InstanceStore;
  private readonly outbox: CommandOutbox;
  private readonly scheduler: AlarmScheduler;
  private hosted: HostedInstance | undefined;

  constructor(
    private readonly ctx: DurableObjectState,
    env: object,
    private readonly options: ProcessManagerObjectOptions,
  ) {
    this.store = new InstanceStore(ctx.storage.sql, (work) => ctx.storage.transactionSync(work));
    this.scheduler = new AlarmScheduler(ctx.storage);
    this.scheduler.register(this);
    const send: CommandSender = (request) => AggregateClient.fromEnv(env, options.aggregatesBinding).execute(request);
    this.outbox = new CommandOutbox(
      this.store,
      send,
      { accepted: (entry, body) => this.accepted(entry, body), refused: (entry, status, body) => this.refused(entry, status, body) },
      (level, fields) => this.log(level, fields),
      () => this.scheduler.rearm(),
    );
    // Resume sending what an eviction or crash interrupted, without waiting for the alarm.
    if (this.store.nextInOutbox() !== undefined) void this.outbox.dispatch();
  }

  /**
   * Decides on one event of a followed stream, unless this instance already decided on that
   * stream at this version or later (a redelivery, or an event the consumer re-sent after a crash).
   * Answers once the decision is committed and its commands were tried once: a send that failed
   * is the alarm's to retry, and does not fail the event.
   */
  async receive(managerName: string, key: string, event: EventEnvelope): Promise<ReceiveOutcome> {
    const hosted = this.host(managerName, key);
    if (event.version <= this.store.mark(event.streamId)) return "duplicate";
    const summary: MessageSummary = { kind: "event", type: event.type, eventId: event.eventId, streamId: event.streamId, version: event.version };
    const cause: TimerCause = { correlationId: event.metadata.correlationId, messageId: event.eventId, ...(event.metadata.traceparent !== undefined && { traceparent: event.metadata.traceparent }) };
    this.decideOn({ hosted, message: event, summary, cause, causeId: event.eventId, consumed: { mark: { streamId: event.streamId, version: event.version } } });
    if (this.store.nextInOutbox() !== undefined) await this.outbox.dispatch();
    return "decided";
  }

  /** The instance's state, timers, outbox and recent decisions; null when it never received a message. */
  async inspect(): Promise<InstanceView | null> {
    const stored = this.store.load();
    if (!stored) return null;
    const view = (request: CommandRequest) => ({ commandId: request.commandId, aggregate: request.aggregate, id: request.id, command: request.command, payload: request.payload });
    return {
      manager: stored.manager,
      key: stored.key,
      state: stored.state,
      messages: stored.messages,
      streams: this.store.marks(),
      timers: this.store.timers().map((t) => ({ id: t.id, at: new Date(t.at).toISOString(), payload: t.payload, attempts: t.attempts, lastError: t.lastError })),
      outbox: this.store.outbox().map((e) => ({ ...view(e.request), attempts: e.attempts, nextAttemptAt: new Date(e.due).toISOString(), lastError: e.lastError })),
      rejected: this.store.rejections().map((r) => ({
        ...view(r.request),
        status: r.status,
        error: r.body.error,
        message: r.body.message,
        reason: typeof r.body.reason === "string" ? r.body.reason : null,
        rejectedAt: r.rejectedAt,
      })),
      outcomes: this.store.outcomes().map((o) => ({
        ...outcomeSummary(o.message),
        attempts: o.attempts,
        nextAttemptAt: new Date(o.due).toISOString(),
        lastError: o.lastError,
      })),
      decisions: this.store.decisions(),
    };
  }

  /** The alarm: the instance's job runs when its earliest timer or outbox retry is due. */
  async alarm(): Promise<void> {
    if (!this.storedInstance()) return;
    await this.scheduler.fire();
  }

  /** When the earliest timer, outbox retry or outcome is due; undefined when nothing waits. */
  nextDue(): number | undefined {
    return this.store.nextDue();
  }

  /** Fires the timers whose time has come, earliest first, decides on the outcomes due, then sends what the outbox owes. */
  async run(now: number): Promise<void> {
    const hosted = this.storedInstance();
    if (!hosted) return;
    for (const timer of this.store.dueTimers(now)) {
      const message: TimerFired<unknown> = { type: "timer", id: timer.id, at: new Date(timer.at).toISOString(), payload: timer.payload };
      try {
        const summary: MessageSummary = { kind: "timer", id: timer.id, at: message.at };
        this.decideOn({ hosted, message, summary, cause: timer.cause, causeId: `timer:${timer.id}@${timer.at}`, consumed: { firedTimer: timer.id } });
      } catch (error) {
        // Kept, not dropped: a firing whose decision fails is tried again, and shown meanwhile.
        const text = error instanceof Error ? error.message : String(error);
        const delay = COMMAND_BACKOFF.delayMs(timer.attempts + 1);
        this.store.timerFailed(timer.id, text, Date.now() + delay);
        this.log("error", {
          event: "process-manager.timer-failed",
          msg: `timer ${timer.id} failed (attempt ${timer.attempts + 1}), retrying in ${delay} ms: ${text}`,
          timerId: timer.id,
          attempts: timer.attempts + 1,
          delayMs: delay,
          error: text,
        });
      }
    }
    this.decideOnOutcomes(now);
    await this.outbox.dispatch();
  }

  /** The aggregate accepted a command: out of the outbox, and kept to decide on if the manager asked. */
  private accepted(entry: OutboxEntry, body: CommandSuccess): void {
    this.settle(entry, "accepted", (at) => acceptedMessage(entry, body, at));
  }

  /** The aggregate refused a command: recorded for the admin route, and kept to decide on if the manager asked. */
  private refused(entry: OutboxEntry, status: number, body: ErrorBody): void {
    this.settle(entry, "rejected", (at) => rejectedMessage(entry, body, at), () => this.store.rejected(entry, status, body, new Date().toISOString()));
  }

  /**
   * Takes an answered command out of the outbox and keeps its outcome, in one transaction, so
   * the outcome is decided on exactly once: a crash before the commit sends the command again,
   * and the aggregate answers its id again. Then decides on what is due.
   */
  private settle(entry: OutboxEntry, kind: AnyOutcomeMessage["type"], message: (at: string) => AnyOutcomeMessage, record = () => this.store.delivered(entry.seq)): void {
    const kept = this.storedInstance()?.manager.outcomes.has(kind) === true;
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      record();
      if (kept) this.store.keepOutcome(entry.seq, message(new Date(now).toISOString()), outcomeCauseOf(entry.request), now);
    });
    if (!kept) return;
    // Set in the same turn as the commit, so a crash before the decision still brings the alarm back for it.
    this.scheduler.rearm();
    this.decideOnOutcomes(now);
  }

  /**
   * Decides on the outcomes that are due, in the order their commands were sent. One whose
   * decision fails is retried from the alarm, with backoff, and the ones after it wait: a manager
   * sees its commands' outcomes in order.
   */
  private decideOnOutcomes(now: number): void {
    const hosted = this.storedInstance();
    if (!hosted) return;
    for (const pending of this.store.outcomes()) {
      if (pending.due > now) return;
      const { message } = pending;
      try {
        this.decideOn({
          hosted,
          message,
          summary: outcomeSummary(message),
          cause: pending.cause,
          causeId: outcomeCause(message.type, pending.seq),
          causationId: message.command.commandId,
          consumed: { decidedOutcome: pending.seq },
        });
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        const delay = COMMAND_BACKOFF.delayMs(pending.attempts + 1);
        this.store.outcomeFailed(pending.seq, text, Date.now() + delay);
        this.scheduler.rearm();
        this.log("error", {
          event: "process-manager.outcome-failed",
          msg: `deciding on ${message.type} ${message.command.commandId} failed (attempt ${pending.attempts + 1}), retrying in ${delay} ms: ${text}`,
          commandId: message.command.commandId,
          outcome: message.type,
          attempts: pending.attempts + 1,
          delayMs: delay,
          error: text,
        });
        return;
      }
    }
  }

  /** Replaces how commands are sent: the fault-injection seam for tests. */
  useCommandSender(sender: CommandSender): void {
    this.outbox.send = sender;
  }

  /**
   * One decision, in one turn: step the manager from the state before the message (its `step`, or
   * its `decide` and `evolve`), and commit the state after it with what it decided; then send. Throws (committing nothing) when the manager's
   * code does, so the message is tried again.
   */
  private decideOn({ hosted, message, summary, cause, causeId, causationId = causeId, consumed }: Decision): void {
    const { manager, key } = hosted;
    const { state, ...decision } = manager.step(hosted.state, message);
    const commands: CommandRequest[] = decision.commands.map((issued, index) => ({
      aggregate: issued.aggregate,
      id: issued.id,
      command: issued.command,
      payload: issued.payload,
      commandId: instanceCommandId(manager.name, key, causeId, index),
      correlationId: cause.correlationId,
      causationId,
      actor: runtimeActor(`process-manager:${manager.name}`),
      // The cause's trace goes on: same trace id, a new span for each command it causes.
      traceparent: continueTrace(cause.traceparent).traceparent,
    }));
    const now = Date.now();
    try {
      this.ctx.storage.transactionSync(() => {
        if (!hosted.stored) this.store.create(manager.name, key, hosted.state, new Date(now).toISOString());
        this.store.write({
          state,
          message: summary,
          ...consumed,
          commands,
          cancel: decision.timers.cancel,
          set: decision.timers.set,
          cause,
          sendDue: now + COMMAND_SAFETY_DELAY_MS,
          now: new Date(now).toISOString(),
        });
        const timers = this.store.timerCount();
        if (timers > MAX_TIMERS_PER_INSTANCE) throw new Error(`${manager.name}/${key} would hold ${timers} timers; at most ${MAX_TIMERS_PER_INSTANCE}`);
      });
    } catch (error) {
      if (!hosted.stored) this.store.recheck();
      throw error;
    }
    if (!hosted.stored) this.store.created();
    hosted.stored = true;
    hosted.state = state;
    // Set in the same turn as the commit, so it is durable with the commands and timers it guards.
    this.scheduler.rearm();
  }

  /** The instance for a message: loaded once per wake, created in memory on its first message. */
  private host(managerName: string, key: string): HostedInstance {
    const hosted = this.hosted ?? this.storedInstance();
    if (hosted) {
      if (hosted.manager.name !== managerName || hosted.key !== key) throw new Error(`object of ${hosted.manager.name}/${hosted.key} was asked for ${managerName}/${key}`);
      return hosted;
    }
    const manager = this.options.managers.get(managerName);
    if (!manager) throw new Error(`no stateful process manager named ${managerName}`);
    this.hosted = { manager, key, state: manager.initialState(), stored: false };
    return this.hosted;
  }

  /** The instance this object already holds; undefined for one that never received a message. */
  private storedInstance(): HostedInstance | undefined {
    if (this.hosted) return this.hosted;
    const stored = this.store.load();
    if (!stored) return undefined;
    const manager = this.options.managers.get(stored.manager);
    if (!manager) throw new Error(`instance ${stored.manager}/${stored.key} belongs to no registered stateful process manager`);
    this.hosted = { manager, key: stored.key, state: manager.checkState(stored.state), stored: true };
    return this.hosted;
  }

  /** A line about this instance: its manager (as `subscriber`, like the manager's queue lines) and key, and the instance in the sentence. */
  private log(level: "warn" | "error", { event, msg, ...rest }: LogFields): void {
    const subscriber = this.hosted?.manager.name;
    const key = this.hosted?.key;
    writeLog(level, { event, msg: `process manager ${subscriber ?? "?"}/${key ?? "?"}: ${msg}`, subscriber, key, ...rest });
  }
}
