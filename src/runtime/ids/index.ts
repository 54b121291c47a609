export {
  AGGREGATE_ID_PATTERN,
  COMMAND_ID_PATTERN,
  isRuntimeCommandId,
  newId,
  parseStreamId,
  RUNTIME_COMMAND_ID_PREFIX,
  streamIdOf,
} from "./ids.js";
