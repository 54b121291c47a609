import { z } from "zod";

/** The CloudEvents version every published event declares (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md). */
export const CLOUDEVENTS_SPEC_VERSION = "1.0";

/** Published data is always JSON, so the content type is fixed. */
export const CLOUD_EVENT_CONTENT_TYPE = "application/json";

/**
 * A CloudEvent 1.0 in its JSON format (structured mode): the four attributes the spec requires
 * (`specversion`, `id`, `source`, `type`) and the optional ones a publisher always sets.
 */
export interface CloudEvent<D = unknown> {
  readonly specversion: typeof CLOUDEVENTS_SPEC_VERSION;
  /** Stable per source event: a redelivery carries the same id, so consumers deduplicate on (`source`, `id`). */
  readonly id: string;
  /** URI-reference naming the publishing system, e.g. `/edge-cqrs/shop`. */
  readonly source: string;
  /** The public event type, e.g. `com.example.order.placed`. */
  readonly type: string;
  /** When the source event was recorded (RFC 3339). */
  readonly time: string;
  /** The id of the aggregate the event is about, e.g. the order id. */
  readonly subject: string;
  readonly datacontenttype: typeof CLOUD_EVENT_CONTENT_TYPE;
  readonly data: D;
}

/**
 * The zod schema of one public event type as it leaves: every attribute fixed or constrained,
 * `data` checked by the public schema. The published JSON Schema is generated from it, so the
 * contract and the check are one.
 */
export function cloudEventSchema(source: string, type: string, data: z.ZodType) {
  return z
    .object({
      specversion: z.literal(CLOUDEVENTS_SPEC_VERSION),
      id: z.string().min(1),
      source: z.literal(source),
      type: z.literal(type),
      time: z.iso.datetime({ offset: true }),
      subject: z.string().min(1),
      datacontenttype: z.literal(CLOUD_EVENT_CONTENT_TYPE),
      data,
    })
    .strict();
}
