import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { useQueueSender as queueSenderSeam } from "../../src/runtime/aggregate-object";
import type { EventEnvelope } from "../../src/runtime/envelope";
import type { OutboxRoute, QueueSender } from "../../src/runtime/outbox";
import { objectOf } from "./http";

/** One `sendBatch` the outbox made, as a capturing sender saw it. */
export interface SentBatch {
  readonly queue: string;
  readonly envelopes: readonly EventEnvelope[];
}

/** The Durable Object stub of one aggregate instance, by stream id. */
export function aggregateStub(streamId: string) {
  const [aggregate = "", id = ""] = streamId.split("/");
  return objectOf(aggregate, id);
}

/** Swaps the queue producer of one aggregate object (tests and objects share one isolate), and optionally its send timeout. */
export async function useQueueSender(streamId: string, sender: QueueSender, sendTimeoutMs?: number): Promise<void> {
  await runInDurableObject(aggregateStub(streamId), (instance) => instance[queueSenderSeam](sender, sendTimeoutMs));
}

/**
 * Runs each stream's object alarm, as the platform does within the outbox's safety delay of a
 * command: it sends what waits for the alarm (the stream catalog's later heads) and re-arms.
 */
export async function runOutboxAlarms(...streamIds: string[]): Promise<void> {
  for (const streamId of streamIds) await runDurableObjectAlarm(aggregateStub(streamId));
}

/**
 * Stands in for the queue producers: every batch the outbox sends lands here instead of on a
 * real local queue, so only the batches a test delivers by hand reach D1.
 */
export class CapturedEvents {
  readonly batches: SentBatch[] = [];

  readonly sender: QueueSender = async (route: OutboxRoute, envelopes) => {
    this.batches.push({ queue: route.queue, envelopes: structuredClone([...envelopes]) });
  };

  /** Installs the capturing sender on each stream's object; call before the stream's first command. */
  async install(...streamIds: string[]): Promise<void> {
    for (const streamId of streamIds) await useQueueSender(streamId, this.sender);
  }

  /** Every envelope sent to `queue`, in send order. */
  sentTo(queue: string): EventEnvelope[] {
    return this.batches.filter((b) => b.queue === queue).flatMap((b) => b.envelopes);
  }

  /** Every envelope of one stream sent to `queue`, in send order. */
  streamSentTo(queue: string, streamId: string): EventEnvelope[] {
    return this.sentTo(queue).filter((e) => e.streamId === streamId);
  }
}

/** A sender whose queue is down: every send fails. */
export const failingSender: QueueSender = async (route) => {
  throw new Error(`queue ${route.queue} is unavailable (test)`);
};
