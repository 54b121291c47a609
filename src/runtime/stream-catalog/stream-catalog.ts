import type { EventEnvelope } from "../envelope/index.js";
import { STREAM_CATALOG_BINDING, STREAM_CATALOG_QUEUE } from "../manifest/index.js";
import { writeLog } from "../observability/index.js";
import type { OutboxRoute } from "../outbox/index.js";
import type { Consumer } from "../projector/index.js";
import type { RuntimeContext } from "../runtime-context/index.js";

/**
 * The outbox route of the catalog: heads only, one message per send instead of one per event, and
 * a queue send rather than a D1 write on the command's path (D1 has one writer per database; the
 * HTTP path is the budget to protect).
 */
export const STREAM_CATALOG_ROUTE: OutboxRoute = { queue: STREAM_CATALOG_QUEUE, binding: STREAM_CATALOG_BINDING, headsOnly: true };

interface Head {
  readonly streamId: string;
  readonly aggregate: string;
  readonly version: number;
  readonly recordedAt: string;
}

/**
 * Consumes a batch of the catalog queue: the newest head per stream is upserted into every read
 * database (each holds its subscribers' checkpoints, so lag and the sweep join locally), in one D1
 * batch per database. The upsert keeps the highest version, so redelivered or reordered heads are
 * harmless. A body that is not an envelope is logged and dropped: it would fail every retry.
 */
export async function recordHeads(batch: MessageBatch<unknown>, databases: readonly D1Database[]): Promise<void> {
  const heads = new Map<string, Head>();
  for (const message of batch.messages) {
    const head = headOf(message.body);
    if (!head) {
      writeLog("error", {
        event: "stream-catalog.message-dropped",
        msg: `stream catalog: message ${message.id} is not an event envelope; dropped`,
        messageId: message.id,
      });
      continue;
    }
    const known = heads.get(head.streamId);
    if (!known || known.version < head.version) heads.set(head.streamId, head);
  }
  if (heads.size === 0) return;
  const now = new Date().toISOString();
  await Promise.all(
    databases.map((db) =>
      db.batch(
        [...heads.values()].flatMap((h) => [
          db.prepare("INSERT INTO stream_catalog (stream_id, aggregate, first_seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING").bind(h.streamId, h.aggregate, now),
          db
            .prepare(
              `INSERT INTO stream_heads (stream_id, aggregate, version, recorded_at) VALUES (?1, ?2, ?3, ?4)
               ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, recorded_at = excluded.recorded_at
               WHERE excluded.version > stream_heads.version`,
            )
            .bind(h.streamId, h.aggregate, h.version, h.recordedAt),
        ]),
      ),
    ),
  );
}

/** What the catalog's consumer is made of. */
export interface StreamCatalogConsumerOptions {
  /** The D1 bindings of every read database: each holds a copy of the catalog. */
  readonly databases: readonly string[];
  readonly context: RuntimeContext;
}

/** Consumes the runtime's own catalog queue through {@link recordHeads}. */
export class StreamCatalogConsumer implements Consumer {
  readonly queue = STREAM_CATALOG_QUEUE;
  private readonly databases: readonly string[];
  private readonly context: RuntimeContext;

  constructor({ databases, context }: StreamCatalogConsumerOptions) {
    this.databases = databases;
    this.context = context;
  }

  async consume(batch: MessageBatch<unknown>, env: object): Promise<void> {
    const databases = await Promise.all(this.databases.map((binding) => this.context.tables.database(env, binding, "the stream catalog")));
    await recordHeads(batch, databases);
  }
}

function headOf(body: unknown): Head | undefined {
  const e = body as Partial<EventEnvelope> | null;
  if (!e || typeof e.streamId !== "string" || typeof e.aggregate !== "string" || typeof e.version !== "number") return undefined;
  const recordedAt = typeof e.metadata?.recordedAt === "string" ? e.metadata.recordedAt : new Date().toISOString();
  return { streamId: e.streamId, aggregate: e.aggregate, version: e.version, recordedAt };
}
