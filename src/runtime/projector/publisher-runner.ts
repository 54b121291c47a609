import { EventEnvelopeSchema } from "../envelope/index.js";
import { byteLength, sendBatches } from "../outbox/index.js";
import type { CloudEvent, Publisher } from "../publisher/index.js";
import type { RuntimeContext } from "../runtime-context/index.js";
import { recordBatchLag, recordFailure } from "./checkpoints.js";
import { reportMalformed, retryDelaySeconds } from "./stream-work.js";
import { SubscriberConsumer, type SubscriberBatch } from "./subscriber-consumer.js";

/**
 * Queues carry at most 128 KB per message; the margin covers framing. Public data is usually a
 * small part of its event, but a mapping could grow it: such an event is parked, never truncated.
 */
export const MAX_CLOUD_EVENT_BYTES = 120 * 1024;

/** A CloudEvent to send, with its serialised size counted once and the messages that carried its event. */
interface Outgoing {
  /** Every copy of the source event in this batch: one CloudEvent is sent for all of them. */
  readonly messages: Message<unknown>[];
  readonly streamId: string;
  readonly version: number;
  readonly event: CloudEvent;
  readonly bytes: number;
}

/** A batch of a publisher's queue. */
export interface PublisherBatch extends SubscriberBatch {
  readonly publisher: Publisher;
}

/**
 * Publishes a batch of envelopes as CloudEvents on the integration-events queue. Events without a
 * mapping (and events of aggregates the publisher does not follow) are acknowledged unsent. A
 * message is acknowledged only after the `sendBatch` carrying its CloudEvent succeeded; a failed
 * send retries its messages, which reach the dead-letter queue after the consumer's `max_retries`.
 * No checkpoint is kept: delivery is at least once and the CloudEvent id, which is the source
 * event's id, is what consumers deduplicate on. Copies of one event within a batch are sent once.
 */
export async function runPublisher(run: PublisherBatch): Promise<void> {
  const { publisher, batch, env } = run;
  const integration = integrationQueueOf(publisher, env);
  const outgoing = new Map<string, Outgoing>();
  for (const message of batch.messages) {
    const parsed = EventEnvelopeSchema.safeParse(message.body);
    if (!parsed.success) {
      reportMalformed(publisher.name, message);
      message.retry({ delaySeconds: retryDelaySeconds(message) });
      continue;
    }
    const { streamId, version, eventId } = parsed.data;
    const copy = outgoing.get(eventId);
    if (copy) {
      copy.messages.push(message);
      continue;
    }
    try {
      const event = publisher.cloudEventFor(parsed.data);
      if (!event) {
        message.ack();
        continue;
      }
      const bytes = byteLength(JSON.stringify(event));
      if (bytes > MAX_CLOUD_EVENT_BYTES) throw new Error(`the CloudEvent is ${bytes} bytes, over the ${MAX_CLOUD_EVENT_BYTES} a queue message carries`);
      outgoing.set(eventId, { messages: [message], streamId, version, event, bytes });
    } catch (error) {
      await fail(run, [{ messages: [message], streamId, version }], error);
    }
  }
  for (const chunk of sendBatches([...outgoing.values()])) {
    try {
      await integration.sendBatch(chunk.map((o) => ({ body: o.event, contentType: "json" as const })));
    } catch (error) {
      await fail(run, chunk, error);
      continue;
    }
    run.report.sent(chunk.length);
    for (const o of chunk) for (const message of o.messages) message.ack();
  }
}

function integrationQueueOf(publisher: Publisher, env: object): Queue<CloudEvent> {
  const queue = (env as Record<string, unknown>)[publisher.integrationQueue] as Queue<CloudEvent> | undefined;
  if (!queue || typeof queue.sendBatch !== "function") {
    throw new Error(`queue producer binding ${publisher.integrationQueue} (integration events of ${publisher.name}) is missing from wrangler.toml`);
  }
  return queue;
}

/** Leaves the messages for a later attempt, remembering per stream why, for the dead-letter record. */
async function fail({ publisher, db, report }: PublisherBatch, failed: readonly Pick<Outgoing, "messages" | "streamId" | "version">[], error: unknown): Promise<void> {
  const firstPerStream = new Map<string, number>();
  for (const { streamId, version } of failed) firstPerStream.set(streamId, Math.min(version, firstPerStream.get(streamId) ?? version));
  for (const [streamId, version] of firstPerStream) report.failed({ streamId, fromVersion: version, toVersion: version, error });
  await Promise.all([...firstPerStream].map(([streamId, version]) => recordFailure({ db, subscriber: publisher.name, streamId, version, error })));
  for (const message of failed.flatMap((f) => f.messages)) message.retry({ delaySeconds: retryDelaySeconds(message) });
}

/**
 * Consumes a publisher's queue through {@link runPublisher}. A publisher needs no aggregate object:
 * a Worker deployed for it binds only its queues and D1.
 */
export class PublisherConsumer extends SubscriberConsumer<Publisher> {
  constructor({ publisher, context }: { readonly publisher: Publisher; readonly context: RuntimeContext }) {
    super(publisher, context);
  }

  protected async apply({ batch, db, env, report }: SubscriberBatch): Promise<void> {
    await runPublisher({ publisher: this.subscriber, batch, db, env, report });
  }

  // Projections and process managers record their batch's lag within their own D1 writes; a
  // publisher writes none, so its lag is a write of its own.
  protected override async finished(batch: MessageBatch<unknown>, db: D1Database): Promise<void> {
    await recordBatchLag(db, this.subscriber.name, batch.messages);
  }
}
