export { AGGREGATE_ID_PATTERN, COMMAND_ID_PATTERN, newId, parseStreamId, streamIdOf } from "./ids";
