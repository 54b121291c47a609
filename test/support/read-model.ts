import { env } from "cloudflare:workers";

/** Every table the two order views and their checkpoints live in, with the order that makes a dump canonical. */
const READ_MODEL_TABLES = [
  ["order_details", "id"],
  ["order_details_items", "order_id, sku"],
  ["order_details_deliveries", "delivery_id"],
  ["order_history", "id"],
  ["order_history_deliveries", "delivery_id"],
  ["projection_checkpoints", "projection, stream_id"],
] as const;

/** The views and checkpoints as canonical JSON: two dumps are equal iff the read model is. */
export async function dumpReadModel(): Promise<string> {
  const results = await env.READ_DB.batch(READ_MODEL_TABLES.map(([table, key]) => env.READ_DB.prepare(`SELECT * FROM ${table} ORDER BY ${key}`)));
  return JSON.stringify(Object.fromEntries(READ_MODEL_TABLES.map(([table], i) => [table, results[i]!.results])), null, 1);
}

/** Empties the views and checkpoints (and the failure log) so the next trial starts from nothing. */
export async function resetReadModel(): Promise<void> {
  await env.READ_DB.batch(
    [...READ_MODEL_TABLES.map(([table]) => table), "projection_errors", "stream_catalog"].map((table) => env.READ_DB.prepare(`DELETE FROM ${table}`)),
  );
}

/** Rows of one query, for assertions. */
export async function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
  return (await env.READ_DB.prepare(sql).bind(...params).all<T>()).results;
}
