import { env } from "cloudflare:workers";
import { readModelOf } from "./read-model-tables";

/** The example's two order views and their checkpoints, in dump order. */
export const { dumpReadModel, resetReadModel } = readModelOf([
  ["order_details", "id"],
  ["order_details_items", "order_id, sku"],
  ["order_details_deliveries", "delivery_id"],
  ["order_history", "id"],
  ["order_history_deliveries", "delivery_id"],
  ["projection_checkpoints", "projection, stream_id"],
]);

/** Rows of one query, for assertions. */
export async function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
  return (await env.READ_DB.prepare(sql).bind(...params).all<T>()).results;
}
