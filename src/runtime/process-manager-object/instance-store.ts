import type { CommandRequest } from "../aggregate-protocol/index.js";
import type { ErrorBody } from "../errors/index.js";
import type { AnyOutcomeMessage } from "../process-manager/index.js";
import { migrateInstance, storedInstanceSchema } from "./instance-schema.js";

/**
 * The instance keeps this many recent decisions and rejected commands for the admin route: enough
 * to read what happened to one order or payment, bounded so a long-lived instance does not grow.
 */
export const MAX_DECISIONS_KEPT = 50;
export const MAX_REJECTIONS_KEPT = 50;

/** The instance's identity and state, as stored. */
export interface StoredInstance {
  readonly manager: string;
  readonly key: string;
  readonly state: unknown;
  /** Messages (events, timers and outcomes) it has decided on. */
  readonly messages: number;
}

/** What caused a decision, as the decision log records it. */
export type MessageSummary =
  | { readonly kind: "event"; readonly type: string; readonly eventId: string; readonly streamId: string; readonly version: number }
  | { readonly kind: "timer"; readonly id: string; readonly at: string }
  | OutcomeSummary;

/** An outcome of a sent command, as the decision log and the pending outcomes list it. */
export type OutcomeSummary =
  | { readonly kind: "rejected"; readonly commandId: string; readonly streamId: string; readonly command: string; readonly error: string; readonly reason: string | null }
  | { readonly kind: "accepted"; readonly commandId: string; readonly streamId: string; readonly command: string; readonly version: number };

/** A command waiting in the outbox, in decision order. */
export interface OutboxEntry {
  readonly seq: number;
  readonly commandId: string;
  readonly request: CommandRequest;
  readonly attempts: number;
  readonly due: number;
  readonly lastError: string | null;
}

/** A pending timer; `cause` carries the correlation of the message that set it. */
export interface StoredTimer {
  readonly id: string;
  readonly at: number;
  readonly payload: unknown;
  readonly cause: TimerCause;
  readonly due: number;
  readonly attempts: number;
  readonly lastError: string | null;
}

/** An outcome of a sent command waiting to be decided on; `seq` is the command's place in the outbox. */
export interface PendingOutcome {
  readonly seq: number;
  readonly message: AnyOutcomeMessage;
  /** The command's correlation and trace: the commands the outcome causes carry them on. */
  readonly cause: TimerCause;
  readonly due: number;
  readonly attempts: number;
  readonly lastError: string | null;
}

/** Where a timer (or a command whose outcome is decided on) came from: its commands carry the same correlation id. */
export interface TimerCause {
  readonly correlationId: string;
  readonly messageId: string;
  /** The trace of the message that set the timer: a fired timer's commands continue it. */
  readonly traceparent?: string;
}

/** Everything one decision writes, committed together. */
export interface DecisionWrite {
  readonly state: unknown;
  readonly message: MessageSummary;
  /** The stream and version an event moves the high-water mark to. */
  readonly mark?: { readonly streamId: string; readonly version: number };
  /** The timer a firing consumes. */
  readonly firedTimer?: string;
  /** The outcome (by its command's outbox sequence number) a decision on it consumes. */
  readonly decidedOutcome?: number;
  readonly commands: readonly CommandRequest[];
  readonly cancel: readonly string[];
  readonly set: readonly { readonly id: string; readonly at: number; readonly payload: unknown }[];
  readonly cause: TimerCause;
  /** When the outbox first tries the new commands again should the immediate send not happen. */
  readonly sendDue: number;
  readonly now: string;
}

type TimerRow = { id: string; at: number; payload: string; cause: string; due: number; attempts: number; last_error: string | null };
type OutboxRow = { seq: number; command_id: string; request: string; attempts: number; due: number; last_error: string | null };
type OutcomeRow = { seq: number; message: string; cause: string; due: number; attempts: number; last_error: string | null };

/**
 * One process-manager instance's SQLite storage: state, per-stream high-water marks, timers, the
 * command outbox, the outcomes of sent commands still to be decided on, and bounded logs of
 * decisions and rejected commands. Synchronous, like the
 * aggregate's event store, so a decision is written in one turn without an `await`. Nothing is
 * created until the first message: reading an instance that never ran leaves no database behind.
 */
export class InstanceStore {
  private schema: number;

  constructor(
    private readonly sql: SqlStorage,
    transaction: (work: () => void) => void,
  ) {
    this.schema = storedInstanceSchema(sql);
    // An instance written by an older edge-cqrs is upgraded when it wakes, all steps or none.
    if (this.schema > 0) transaction(() => migrateInstance(sql, this.schema));
  }

  /** The stored instance, or undefined when it never received a message. */
  load(): StoredInstance | undefined {
    if (this.schema === 0) return undefined;
    const row = this.sql
      .exec<{ manager: string; instance_key: string; state: string; messages: number }>("SELECT manager, instance_key, state, messages FROM instance")
      .toArray()[0];
    return row && { manager: row.manager, key: row.instance_key, state: JSON.parse(row.state), messages: row.messages };
  }

  /** Creates the storage and the instance's row. Call inside the transaction of its first decision. */
  create(manager: string, key: string, state: unknown, now: string): void {
    migrateInstance(this.sql, this.schema);
    this.sql.exec("INSERT INTO instance (id, manager, instance_key, state, messages, updated_at) VALUES (1, ?, ?, ?, 0, ?)", manager, key, JSON.stringify(state), now);
  }

  /** Storage created in a transaction that rolled back is gone: read the schema version again. */
  recheck(): void {
    this.schema = storedInstanceSchema(this.sql);
  }

  /** Marks the storage as created once the first transaction committed. */
  created(): void {
    this.schema = storedInstanceSchema(this.sql);
  }

  /** The highest version of `streamId` this instance has decided on; 0 when none. */
  mark(streamId: string): number {
    if (this.schema === 0) return 0;
    return this.sql.exec<{ version: number }>("SELECT version FROM stream_marks WHERE stream_id = ?", streamId).toArray()[0]?.version ?? 0;
  }

  /** Writes one decision: state, mark, timers, outbox and the log. Call inside a transaction. */
  write(decision: DecisionWrite): void {
    const { sql } = this;
    sql.exec("UPDATE instance SET state = ?, messages = messages + 1, updated_at = ?", JSON.stringify(decision.state), decision.now);
    if (decision.mark) {
      sql.exec(
        "INSERT INTO stream_marks (stream_id, version) VALUES (?, ?) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version",
        decision.mark.streamId,
        decision.mark.version,
      );
    }
    if (decision.firedTimer !== undefined) sql.exec("DELETE FROM timers WHERE id = ?", decision.firedTimer);
    if (decision.decidedOutcome !== undefined) sql.exec("DELETE FROM outcomes WHERE seq = ?", decision.decidedOutcome);
    for (const id of decision.cancel) sql.exec("DELETE FROM timers WHERE id = ?", id);
    const cause = JSON.stringify(decision.cause);
    for (const timer of decision.set) {
      sql.exec(
        `INSERT INTO timers (id, at, payload, cause, due) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET at = excluded.at, payload = excluded.payload, cause = excluded.cause, due = excluded.due, attempts = 0, last_error = NULL`,
        timer.id,
        timer.at,
        JSON.stringify(timer.payload ?? null),
        cause,
        timer.at,
      );
    }
    for (const request of decision.commands) {
      // A command id already in the outbox was decided before; the unique key keeps it once.
      sql.exec("INSERT INTO outbox (command_id, request, due) VALUES (?, ?, ?) ON CONFLICT (command_id) DO NOTHING", request.commandId, JSON.stringify(request), decision.sendDue);
    }
    sql.exec(
      "INSERT INTO decisions (message, commands, timers, decided_at) VALUES (?, ?, ?, ?)",
      JSON.stringify(decision.message),
      JSON.stringify(decision.commands.map(({ commandId, aggregate, id, command, payload }) => ({ commandId, aggregate, id, command, payload }))),
      JSON.stringify({ set: decision.set.map((t) => ({ id: t.id, at: new Date(t.at).toISOString(), payload: t.payload ?? null })), cancel: decision.cancel }),
      decision.now,
    );
    sql.exec("DELETE FROM decisions WHERE seq <= (SELECT MAX(seq) FROM decisions) - ?", MAX_DECISIONS_KEPT);
  }

  /** How many timers are pending. */
  timerCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM timers").one().n;
  }

  /** Timers whose time has come, earliest first. */
  dueTimers(now: number): StoredTimer[] {
    if (this.schema === 0) return [];
    return this.sql.exec<TimerRow>("SELECT * FROM timers WHERE due <= ? ORDER BY due, id", now).toArray().map(timerOf);
  }

  /** Every pending timer, earliest first. */
  timers(): StoredTimer[] {
    if (this.schema === 0) return [];
    return this.sql.exec<TimerRow>("SELECT * FROM timers ORDER BY at, id").toArray().map(timerOf);
  }

  /** A firing that failed (its `decide` threw) is tried again at `due`. */
  timerFailed(id: string, error: string, due: number): void {
    this.sql.exec("UPDATE timers SET attempts = attempts + 1, last_error = ?, due = ? WHERE id = ?", error, due, id);
  }

  /** Commands not yet delivered, in decision order. */
  outbox(): OutboxEntry[] {
    if (this.schema === 0) return [];
    return this.sql.exec<OutboxRow>("SELECT * FROM outbox ORDER BY seq").toArray().map(outboxEntryOf);
  }

  /** The oldest command not yet delivered: the next to send. */
  nextInOutbox(): OutboxEntry | undefined {
    if (this.schema === 0) return undefined;
    const row = this.sql.exec<OutboxRow>("SELECT * FROM outbox ORDER BY seq LIMIT 1").toArray()[0];
    return row && outboxEntryOf(row);
  }

  /** The aggregate accepted the command (or had already). */
  delivered(seq: number): void {
    this.sql.exec("DELETE FROM outbox WHERE seq = ?", seq);
  }

  /** Keeps an outcome to decide on. Call in the transaction that takes its command out of the outbox, so it is kept exactly once. */
  keepOutcome(seq: number, message: AnyOutcomeMessage, cause: TimerCause, due: number): void {
    this.sql.exec("INSERT INTO outcomes (seq, message, cause, due) VALUES (?, ?, ?, ?)", seq, JSON.stringify(message), JSON.stringify(cause), due);
  }

  /** Outcomes waiting to be decided on, in the order their commands were sent. */
  outcomes(): PendingOutcome[] {
    if (this.schema === 0) return [];
    return this.sql.exec<OutcomeRow>("SELECT * FROM outcomes ORDER BY seq").toArray().map((r) => ({
      seq: r.seq,
      message: JSON.parse(r.message) as AnyOutcomeMessage,
      cause: JSON.parse(r.cause) as TimerCause,
      due: r.due,
      attempts: r.attempts,
      lastError: r.last_error,
    }));
  }

  /** A decision on an outcome failed (its `decide` threw): tried again at `due`, and the outcomes after it wait. */
  outcomeFailed(seq: number, error: string, due: number): void {
    this.sql.exec("UPDATE outcomes SET attempts = attempts + 1, last_error = ?, due = ? WHERE seq = ?", error, due, seq);
  }

  /** The aggregate refused the command: it leaves the outbox and is kept, bounded, for the admin route. */
  rejected(entry: OutboxEntry, status: number, body: ErrorBody, now: string): void {
    this.sql.exec("DELETE FROM outbox WHERE seq = ?", entry.seq);
    this.sql.exec(
      "INSERT INTO rejections (command_id, request, status, body, rejected_at) VALUES (?, ?, ?, ?, ?)",
      entry.commandId,
      JSON.stringify(entry.request),
      status,
      JSON.stringify(body),
      now,
    );
    this.sql.exec("DELETE FROM rejections WHERE seq <= (SELECT MAX(seq) FROM rejections) - ?", MAX_REJECTIONS_KEPT);
  }

  /** The send failed (the aggregate unreachable or misconfigured): tried again at `due`. */
  sendFailed(seq: number, error: string, due: number): void {
    this.sql.exec("UPDATE outbox SET attempts = attempts + 1, last_error = ?, due = ? WHERE seq = ?", error, due, seq);
  }

  /** When the alarm is next needed: the earliest due timer, outbox retry or outcome; undefined when nothing waits. */
  nextDue(): number | undefined {
    if (this.schema === 0) return undefined;
    const row = this.sql
      .exec<{ due: number | null }>(
        "SELECT MIN(due) AS due FROM (SELECT MIN(due) AS due FROM timers UNION ALL SELECT MIN(due) AS due FROM outbox UNION ALL SELECT MIN(due) AS due FROM outcomes)",
      )
      .one();
    return row.due ?? undefined;
  }

  /** Every stream's high-water mark. */
  marks(): { streamId: string; version: number }[] {
    if (this.schema === 0) return [];
    return this.sql.exec<{ stream_id: string; version: number }>("SELECT stream_id, version FROM stream_marks ORDER BY stream_id").toArray().map((r) => ({ streamId: r.stream_id, version: r.version }));
  }

  /** Recent decisions, newest first. */
  decisions(): { message: MessageSummary; commands: unknown[]; timers: unknown; decidedAt: string }[] {
    if (this.schema === 0) return [];
    return this.sql
      .exec<{ message: string; commands: string; timers: string; decided_at: string }>("SELECT * FROM decisions ORDER BY seq DESC")
      .toArray()
      .map((r) => ({ message: JSON.parse(r.message) as MessageSummary, commands: JSON.parse(r.commands) as unknown[], timers: JSON.parse(r.timers) as unknown, decidedAt: r.decided_at }));
  }

  /** Recently rejected commands, newest first. */
  rejections(): { commandId: string; request: CommandRequest; status: number; body: ErrorBody; rejectedAt: string }[] {
    if (this.schema === 0) return [];
    return this.sql
      .exec<{ command_id: string; request: string; status: number; body: string; rejected_at: string }>("SELECT * FROM rejections ORDER BY seq DESC")
      .toArray()
      .map((r) => ({ commandId: r.command_id, request: JSON.parse(r.request) as CommandRequest, status: r.status, body: JSON.parse(r.body) as ErrorBody, rejectedAt: r.rejected_at }));
  }
}

function outboxEntryOf(r: OutboxRow): OutboxEntry {
  return { seq: r.seq, commandId: r.command_id, request: JSON.parse(r.request) as CommandRequest, attempts: r.attempts, due: r.due, lastError: r.last_error };
}

function timerOf(r: TimerRow): StoredTimer {
  return { id: r.id, at: r.at, payload: JSON.parse(r.payload), cause: JSON.parse(r.cause) as TimerCause, due: r.due, attempts: r.attempts, lastError: r.last_error };
}
