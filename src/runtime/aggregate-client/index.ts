export { AggregateClient, MAX_STREAM_PAGE } from "./aggregate-client.js";
