export { MAX_DEAD_LETTER_PAGE, mountAdminRoutes } from "./admin-routes.js";
export { MAX_QUEUE_MESSAGE_BYTES, MAX_REPLAY_PAGES_PER_REQUEST, MAX_REPLAY_SENDS_PER_REQUEST, replayDeadLetters, type ReplayOutcome } from "./dead-letter-replay.js";
export { mountProcessManagerRoutes } from "./process-manager-routes.js";
