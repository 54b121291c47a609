import { z } from "zod";

/** Metadata every stored event carries (docs/http-api.md, "The event envelope"), plus any caller-supplied string fields. */
export const EventMetadataSchema = z
  .object({
    commandId: z.string(),
    correlationId: z.string(),
    causationId: z.string(),
    recordedAt: z.string(),
    /** The id of the actor that sent the command; absent on events stored before actors were recorded. */
    actor: z.string().optional(),
    /** The W3C traceparent of the command that appended the event; absent on events stored before traces were recorded. */
    traceparent: z.string().optional(),
  })
  .catchall(z.string());

/** The event envelope on queues and in `/streams` (docs/http-api.md, "The event envelope"). */
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

/**
 * Every name the runtime owns on an envelope or in its metadata. Caller metadata
 * (`X-Event-Metadata`) naming one of these is refused with a 400 at the edge, and the aggregate
 * object drops any that still reach it, so a caller can never forge an envelope field.
 */
export const RESERVED_METADATA_KEYS: ReadonlySet<string> = new Set([
  ...Object.keys(EventEnvelopeSchema.shape),
  ...Object.keys(EventMetadataSchema.shape),
  "traceparent",
  "tracestate",
  "actor",
]);
