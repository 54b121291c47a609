import { forgetAllCommitted } from "../../src/runtime/consistency";
import { bindings } from "./worker-under-test";

/** Rows of one query on the Worker's READ_DB, for assertions. */
export async function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
  return (await bindings.READ_DB.prepare(sql).bind(...params).all<T>()).results;
}

/**
 * What a crash between a subscriber's work and its checkpoint write leaves: D1 never got the
 * checkpoints, so no isolate remembers them either (the runtime remembers only committed ones).
 */
export async function loseCheckpoints(subscriber: string): Promise<void> {
  await bindings.READ_DB.prepare("DELETE FROM projection_checkpoints WHERE projection = ?").bind(subscriber).run();
  forgetAllCommitted();
}
