export {
  createAggregateObjectClass,
  flushOutbox,
  useCurrentStateReader,
  useQueueSender,
  type AggregateObjectClass,
  type AggregateObjectInstance,
  type AggregateObjectMembers,
} from "./aggregate-object.js";
export { StreamHost, type AggregateObjectOptions } from "./stream-host.js";
export { handleCommand, relatedReadsOf, MAX_EVENT_BYTES, SPARSE_SNAPSHOT_INTERVALS, type CommandDecision, type CommandInput } from "./command-handler.js";
export { COMMAND_LOG_RETENTION_MS, COMMAND_LOG_PRUNE_ROWS } from "./command-log.js";
export { LIVE_REPLAY_PAGE, MAX_LIVE_SUBSCRIBERS } from "./live-subscriptions.js";
export type { LoadedStream, WakeStats } from "./stream-loader.js";
export type {
  CommandOutcome,
  CommandRequest,
  CommandSuccess,
  CurrentState,
  CurrentStateReader,
  StateReadRequest,
  StreamPage,
  StreamReadRequest,
} from "../aggregate-protocol/index.js";
export { canonicalJson, requestHash } from "./request-hash.js";
