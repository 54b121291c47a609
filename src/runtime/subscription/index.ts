export { aggregateNames, type EnvelopeOf, type EventsFrom, type HandlerMap, type QueueRef, type Subscription } from "./subscription.js";
