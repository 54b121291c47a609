import { upcast, type AnyAggregate } from "../aggregate/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import type { StoredEvent } from "../event-store/index.js";

/** Which stream an event belongs to: all an envelope needs besides the event itself. */
export interface StreamIdentity {
  readonly aggregate: AnyAggregate;
  readonly streamId: string;
  readonly aggregateId: string;
}

/** The public event envelope, with data brought up to the event's current schema. */
export function envelopeOf(stream: StreamIdentity, event: StoredEvent): EventEnvelope {
  return {
    eventId: event.eventId,
    streamId: stream.streamId,
    aggregate: stream.aggregate.name,
    aggregateId: stream.aggregateId,
    version: event.version,
    type: event.type,
    schemaVersion: stream.aggregate.schemaVersionOf(event.type),
    data: upcast(stream.aggregate, event.type, event.schemaVersion, event.data),
    metadata: event.metadata,
  };
}
