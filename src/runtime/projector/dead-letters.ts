import type { Subscription } from "../subscription";

/**
 * Consumes a subscriber's dead-letter queue: every parked message is written to D1 with the last
 * error its stream met, where operators can see it. Acks only after the write.
 */
export async function parkDeadLetters(subscriber: Subscription, batch: MessageBatch<unknown>, db: D1Database): Promise<void> {
  const now = new Date().toISOString();
  const statements = batch.messages.map((message) => {
    const body = message.body as { streamId?: unknown; version?: unknown } | null;
    const streamId = typeof body?.streamId === "string" ? body.streamId : null;
    const version = typeof body?.version === "number" ? body.version : null;
    return db
      .prepare(
        `INSERT INTO dead_letters (message_id, projection, stream_id, version, body, error, parked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, (SELECT error FROM projection_errors WHERE projection = ?2 AND stream_id = ?3), ?6)
         ON CONFLICT (message_id) DO NOTHING`,
      )
      .bind(message.id, subscriber.name, streamId, version, JSON.stringify(message.body), now);
  });
  await db.batch(statements);
  batch.ackAll();
}
