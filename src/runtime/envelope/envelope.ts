import { z } from "zod";

/** Metadata every stored event carries (DESIGN §5), plus any caller-supplied string fields. */
export const EventMetadataSchema = z
  .object({
    commandId: z.string(),
    correlationId: z.string(),
    causationId: z.string(),
    recordedAt: z.string(),
  })
  .catchall(z.string());

/** The event envelope on queues and in `/streams` (DESIGN §5). */
export const EventEnvelopeSchema = z.object({
  eventId: z.string(),
  streamId: z.string(),
  aggregate: z.string(),
  aggregateId: z.string(),
  version: z.number().int().min(1),
  type: z.string(),
  schemaVersion: z.number().int().min(1),
  data: z.unknown(),
  metadata: EventMetadataSchema,
});

export type EventMetadata = z.infer<typeof EventMetadataSchema>;
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;
