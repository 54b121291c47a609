export {
  createAggregateObjectClass,
  MAX_EVENT_BYTES,
  type AggregateObjectInstance,
  type AggregateObjectOptions,
  type WakeStats,
} from "./aggregate-object";
export type { CommandOutcome, CommandRequest, CommandSuccess, StreamPage, StreamReadRequest } from "../aggregate-protocol";
export { canonicalJson, requestHash } from "./request-hash";
