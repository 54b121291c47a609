export { EventEnvelopeSchema, EventMetadataSchema, RESERVED_METADATA_KEYS, type EventEnvelope, type EventMetadata } from "./envelope.js";
