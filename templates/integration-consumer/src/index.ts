// A consumer of the integration events an edge-cqrs publisher sends, in a Worker of its own. It
// knows CloudEvents and the public schemas (`npx edge-cqrs contracts` writes them into the
// publishing project's contracts/public/), nothing of the publisher's internals. Delivery is at
// least once and in no order: each event is handled once by its (source, id), and what it teaches
// is kept by `time`, so a late event never undoes a newer one.

/** A CloudEvent 1.0 in its JSON format, as an edge-cqrs publisher sends it. */
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

interface ConsumerEnv {
  CONSUMER_DB: D1Database;
}

/** Seconds before a failed message is tried again; after max_retries it is parked in the dead-letter queue. */
const RETRY_DELAY_SECONDS = 5;

function isCloudEvent(body: unknown): body is CloudEvent {
  const event = body as Partial<CloudEvent> | null;
  return (
    typeof event === "object" &&
    event !== null &&
    event.specversion === "1.0" &&
    [event.id, event.source, event.type, event.time, event.subject].every((v) => typeof v === "string" && v.length > 0)
  );
}

/**
 * What this system does with one event, as D1 statements committed with the event's dedupe row.
 * This one keeps each subject's latest event type; put your own per `event.type` here, reading
 * `event.data` as its public schema describes it.
 */
function effectOf(db: D1Database, event: CloudEvent): D1PreparedStatement[] {
  return [
    db
      .prepare(
        `INSERT INTO subjects (source, subject, last_type, last_time) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (source, subject) DO UPDATE SET last_type = excluded.last_type, last_time = excluded.last_time
         WHERE excluded.last_time > subjects.last_time`,
      )
      .bind(event.source, event.subject, event.type, event.time),
  ];
}

export default {
  async queue(batch: MessageBatch<unknown>, env: ConsumerEnv): Promise<void> {
    const receivedAt = new Date().toISOString();
    for (const message of batch.messages) {
      if (!isCloudEvent(message.body)) {
        console.error(`message ${message.id} is not a CloudEvent 1.0`);
        message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
        continue;
      }
      const event = message.body;
      // The dedupe row goes first: a duplicate hits its primary key and the whole batch, effect
      // included, is rolled back.
      const seen = env.CONSUMER_DB.prepare("INSERT INTO received_events (source, id, type, subject, time, received_at) VALUES (?, ?, ?, ?, ?, ?)").bind(
        event.source,
        event.id,
        event.type,
        event.subject,
        event.time,
        receivedAt,
      );
      try {
        await env.CONSUMER_DB.batch([seen, ...effectOf(env.CONSUMER_DB, event)]);
      } catch (error) {
        if (String(error).includes("UNIQUE constraint failed")) {
          message.ack(); // handled before: a redelivery
          continue;
        }
        console.error(`${event.type} ${event.id} failed:`, error);
        message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
        continue;
      }
      message.ack();
    }
  },
} satisfies ExportedHandler<ConsumerEnv>;
