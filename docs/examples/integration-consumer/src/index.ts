// A consumer of edge-cqrs's public order events, in a Worker of its own. It knows the CloudEvents
// and their public data (schema/contracts/public/*.json) and nothing of the order's internals.

/** A CloudEvent 1.0 in its JSON format, as the publisher sends it. */
interface CloudEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  time: string;
  subject: string;
  datacontenttype: string;
  data: unknown;
}

/** The public data of each order event type (schema/contracts/public/com.example.order.*.json). */
interface OrderPlaced {
  orderId: string;
  customerId: string;
  lines: { sku: string; quantity: number; unitPriceCents: number }[];
  totalCents: number;
  placedAt: string;
}

interface ConsumerEnv {
  MIRROR_DB: D1Database;
}

/** Order statuses, by public event type; the order of arrival is not the order of the events. */
const STATUS_OF: Record<string, string> = {
  "com.example.order.placed": "placed",
  "com.example.order.shipped": "shipped",
  "com.example.order.delivered": "delivered",
  "com.example.order.cancelled": "cancelled",
};

/** How far along an order each status is: a late `placed` never undoes a `shipped`. */
const RANK: Record<string, number> = { placed: 1, shipped: 2, cancelled: 3, delivered: 3 };

function isCloudEvent(body: unknown): body is CloudEvent {
  const event = body as Partial<CloudEvent> | null;
  return (
    typeof event === "object" &&
    event !== null &&
    event.specversion === "1.0" &&
    [event.id, event.source, event.type, event.time, event.subject].every((v) => typeof v === "string" && v.length > 0)
  );
}

/** The statements that apply one event; the dedupe row goes first, so a duplicate aborts the batch. */
function statementsFor(db: D1Database, event: CloudEvent, now: string): D1PreparedStatement[] {
  const status = STATUS_OF[event.type];
  const seen = db
    .prepare("INSERT INTO received_events (source, id, type, received_at) VALUES (?, ?, ?, ?)")
    .bind(event.source, event.id, event.type, now);
  // A type this consumer does not know is recorded and passed over: new public types are additive.
  if (status === undefined) return [seen];
  const placed = event.type === "com.example.order.placed" ? (event.data as OrderPlaced) : undefined;
  const upsert = db
    .prepare(
      `INSERT INTO orders (order_id, customer_id, total_cents, status, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT (order_id) DO UPDATE SET
         customer_id = COALESCE(excluded.customer_id, orders.customer_id),
         total_cents = COALESCE(excluded.total_cents, orders.total_cents),
         status = CASE WHEN ?6 > (${rankSql("orders.status")}) THEN excluded.status ELSE orders.status END,
         updated_at = excluded.updated_at`,
    )
    .bind(event.subject, placed?.customerId ?? null, placed?.totalCents ?? null, status, now, RANK[status] ?? 0);
  return [seen, upsert];
}

function rankSql(column: string): string {
  return `CASE ${column} ${Object.entries(RANK).map(([s, r]) => `WHEN '${s}' THEN ${r}`).join(" ")} ELSE 0 END`;
}

export default {
  async queue(batch: MessageBatch<unknown>, env: ConsumerEnv): Promise<void> {
    const now = new Date().toISOString();
    for (const message of batch.messages) {
      if (!isCloudEvent(message.body)) {
        console.error(`message ${message.id} is not a CloudEvent 1.0`);
        message.retry(); // parked in the dead-letter queue after max_retries
        continue;
      }
      const event = message.body;
      try {
        await env.MIRROR_DB.batch(statementsFor(env.MIRROR_DB, event, now));
      } catch (error) {
        // The primary key on (source, id) refused the row: this event was handled before.
        if (String(error).includes("UNIQUE constraint failed")) {
          message.ack();
          continue;
        }
        console.error(`${event.type} ${event.id} failed:`, error);
        message.retry({ delaySeconds: 5 });
        continue;
      }
      message.ack();
    }
  },
} satisfies ExportedHandler<ConsumerEnv>;
