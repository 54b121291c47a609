export { CommittedCheckpoints, MAX_REMEMBERED_CHECKPOINTS, type CommittedMove } from "./committed-checkpoints.js";
export { encodeConsistencyToken, parseConsistencyTokens, MAX_TOKEN_POSITIONS, type StreamPosition } from "./consistency-token.js";
export {
  ConsistencyWaits,
  DEFAULT_CONSISTENCY_WAIT_MS,
  FIRST_POLL_MS,
  MAX_CONCURRENT_WAITERS,
  MAX_CONSISTENCY_WAIT_MS,
  MAX_POLL_MS,
  MAX_POLLS_PER_WAIT,
  type CheckpointWait,
} from "./wait-for-checkpoints.js";
