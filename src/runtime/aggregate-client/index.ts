export { AggregateClient, AGGREGATES_BINDING, MAX_STREAM_PAGE } from "./aggregate-client.js";
