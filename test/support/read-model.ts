import { bindings } from "./worker-under-test";

/** Rows of one query on the Worker's READ_DB, for assertions. */
export async function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
  return (await bindings.READ_DB.prepare(sql).bind(...params).all<T>()).results;
}

/**
 * What a crash between a subscriber's work and its checkpoint write leaves in D1: no checkpoints.
 * The runtime remembers only committed ones, so no runtime would remember them either; the one
 * that committed them here still does, so deliver the retry to another (a fresh runtime of the
 * application: another isolate, or this one after a restart).
 */
export async function loseCheckpoints(subscriber: string): Promise<void> {
  await bindings.READ_DB.prepare("DELETE FROM projection_checkpoints WHERE projection = ?").bind(subscriber).run();
}
