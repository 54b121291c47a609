import { DurableObject } from "cloudflare:workers";
import { errorAnswer, type Answer, type BaselineEnv, type OrderEnvelope } from "./env";
import { decide, evolve, initialState, validate, type OrderEvent, type OrderState } from "./order-rules";
import { encodeToken } from "./token";

export interface CommandCall {
  readonly id: string;
  readonly command: "place" | "add-item";
  readonly payload: unknown;
  readonly commandId: string;
  readonly expectedVersion: number | undefined;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (version INTEGER PRIMARY KEY, event_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, recorded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS commands (command_id TEXT PRIMARY KEY, request TEXT NOT NULL, response TEXT NOT NULL);
`;

/**
 * One order: appends the event and the command id in one SQLite transaction, answers, then sends
 * the event to both queues. No outbox: a send that fails is lost (the bare pipeline's shortcut,
 * invisible while nothing fails).
 */
export class OrderObject extends DurableObject<BaselineEnv> {
  private version = 0;
  private state: OrderState = initialState();

  constructor(ctx: DurableObjectState, env: BaselineEnv) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(SCHEMA);
    for (const row of sql.exec<{ version: number; type: string; data: string }>("SELECT version, type, data FROM events ORDER BY version")) {
      this.state = evolve(this.state, { type: row.type, data: JSON.parse(row.data) } as OrderEvent);
      this.version = row.version;
    }
  }

  execute(call: CommandCall): Answer {
    const valid = validate(call.command, call.payload);
    if (!valid.ok) return valid.answer;
    const sql = this.ctx.storage.sql;
    const request = JSON.stringify({ command: call.command, payload: call.payload });
    const previous = sql.exec<{ request: string; response: string }>("SELECT request, response FROM commands WHERE command_id = ?", call.commandId).toArray()[0];
    if (previous) {
      if (previous.request !== request) return errorAnswer(422, "idempotency_key_reuse", `Idempotency-Key ${call.commandId} was used for a different request`);
      return { status: 200, body: JSON.parse(previous.response) };
    }
    if (call.expectedVersion !== undefined && call.expectedVersion !== this.version) {
      return errorAnswer(409, "version_conflict", `expected version ${call.expectedVersion}, the stream is at ${this.version}`);
    }
    const now = new Date().toISOString();
    const decided = decide(call.command, valid.value, this.state, now);
    if ("status" in decided) return decided;

    const streamId = `order/${call.id}`;
    const version = this.version + 1;
    const eventId = crypto.randomUUID();
    const body = { streamId, version, events: [{ eventId, type: decided.type, version }], token: encodeToken(streamId, version) };
    this.ctx.storage.transactionSync(() => {
      sql.exec("INSERT INTO events (version, event_id, type, data, recorded_at) VALUES (?, ?, ?, ?, ?)", version, eventId, decided.type, JSON.stringify(decided.data), now);
      sql.exec("INSERT INTO commands (command_id, request, response) VALUES (?, ?, ?)", call.commandId, request, JSON.stringify(body));
    });
    this.version = version;
    this.state = evolve(this.state, decided);

    const envelope: OrderEnvelope = {
      eventId,
      streamId,
      aggregate: "order",
      aggregateId: call.id,
      version,
      type: decided.type,
      schemaVersion: 1,
      data: decided.data,
      metadata: { commandId: call.commandId, correlationId: call.commandId, causationId: call.commandId, recordedAt: now },
    };
    void Promise.all([this.env.DETAILS_QUEUE.send(envelope), this.env.HISTORY_QUEUE.send(envelope)]).catch((error: unknown) =>
      console.error(`${streamId}: send of version ${version} failed`, error),
    );
    return { status: 200, body };
  }
}
