export { EventEnvelopeSchema, EventMetadataSchema, type EventEnvelope, type EventMetadata } from "./envelope";
