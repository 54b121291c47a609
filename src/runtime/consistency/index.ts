export { encodeConsistencyToken, parseConsistencyTokens, MAX_TOKEN_POSITIONS, type StreamPosition } from "./consistency-token";
export { DEFAULT_CONSISTENCY_WAIT_MS, MAX_CONSISTENCY_WAIT_MS, waitForCheckpoints } from "./wait-for-checkpoints";
