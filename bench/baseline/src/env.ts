import type { OrderObject } from "./order-object";

/** The baseline Worker's bindings (bench/baseline/wrangler.toml), written by hand: no generated types. */
export interface BaselineEnv {
  readonly API_TOKEN: string;
  readonly ORDERS: DurableObjectNamespace<OrderObject>;
  readonly READ_DB: D1Database;
  readonly DETAILS_QUEUE: Queue<OrderEnvelope>;
  readonly HISTORY_QUEUE: Queue<OrderEnvelope>;
}

/** The message both queues carry: the same envelope fields edge-cqrs sends. */
export interface OrderEnvelope {
  readonly eventId: string;
  readonly streamId: string;
  readonly aggregate: "order";
  readonly aggregateId: string;
  readonly version: number;
  readonly type: "OrderPlaced" | "ItemAdded";
  readonly schemaVersion: 1;
  readonly data: object;
  readonly metadata: { commandId: string; correlationId: string; causationId: string; recordedAt: string };
}

/** What a command answers: a status and a JSON body, success or `{error, message}`. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export const errorAnswer = (status: number, error: string, message: string, details: Record<string, unknown> = {}): Answer => ({
  status,
  body: { ...details, error, message },
});
