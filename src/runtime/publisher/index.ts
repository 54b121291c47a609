export { CLOUD_EVENT_CONTENT_TYPE, CLOUDEVENTS_SPEC_VERSION, cloudEventSchema, type CloudEvent } from "./cloud-event.js";
export {
  definePublisher,
  PUBLIC_EVENT_TYPE_PATTERN,
  type CheckedPublicEvents,
  type PublicEvent,
  type PublicEventMap,
  type PublishedEventType,
  type Publisher,
  type PublisherConfig,
} from "./define-publisher.js";
export { assertDistinctCloudEvents } from "./distinct-cloud-events.js";
