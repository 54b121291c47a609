import { z } from "zod";

/**
 * A rebuild travels over the projection's own queue as two kinds of message, told apart from event
 * envelopes by their `rebuild` key: one `step` message per rebuild that plans, watches and
 * switches, each step sending the next; and one `stream` job per stream.
 */
export const RebuildMessageSchema = z.discriminatedUnion("rebuild", [
  z.object({ rebuild: z.literal("step"), rebuildId: z.string() }),
  z.object({
    rebuild: z.literal("stream"),
    rebuildId: z.string(),
    streamId: z.string(),
    /** The version to reach: the catalog's head when queued, or the live checkpoint to catch up with; null when unknown. */
    target: z.number().int().nonnegative().nullable(),
  }),
]);

export type RebuildMessage = z.infer<typeof RebuildMessageSchema>;
export type StreamJob = Extract<RebuildMessage, { rebuild: "stream" }>;

/** Whether a queue message's body belongs to a rebuild rather than being an event. */
export function isRebuildMessage(body: unknown): boolean {
  return typeof body === "object" && body !== null && !Array.isArray(body) && typeof (body as { rebuild?: unknown }).rebuild === "string";
}

/**
 * Delay of a rebuild's next step while its stream jobs run: one small D1 read a second per
 * running rebuild, and progress is seen within a second of the last job.
 */
export const REBUILD_STEP_DELAY_SECONDS = 1;

/** Sends rebuild messages to the projection's queue. */
export interface RebuildQueue {
  send(message: RebuildMessage, delaySeconds?: number): Promise<void>;
  sendAll(messages: readonly RebuildMessage[]): Promise<void>;
}

/** The projection's producer binding as a {@link RebuildQueue}. */
export function rebuildQueue(producer: Queue): RebuildQueue {
  return {
    send: async (message, delaySeconds = 0) => {
      await producer.send(message, { contentType: "json", delaySeconds });
    },
    sendAll: async (messages) => {
      if (messages.length > 0) await producer.sendBatch(messages.map((body) => ({ body, contentType: "json" as const })));
    },
  };
}
