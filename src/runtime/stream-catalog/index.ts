export { readLag, type Lag } from "./lag.js";
export { createScheduledHandler, type ScheduledHandler, type ScheduledHandlerOptions } from "./scheduled-handler.js";
export { recordHeads, STREAM_CATALOG_ROUTE, StreamCatalogConsumer, type StreamCatalogConsumerOptions } from "./stream-catalog.js";
export { MAX_STREAMS_SWEPT_PER_SUBSCRIBER, SWEEP_GRACE_MS, sweepSubscriber, type Sweep, type SweepReport } from "./stream-sweep.js";
