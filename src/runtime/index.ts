// The runtime's public API. The example application (src/app) imports only from here.
export * from "./aggregate";
export * from "./errors";
export { AGGREGATE_ID_PATTERN, newId, streamIdOf } from "./ids";
