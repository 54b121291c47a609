// What the Worker and an aggregate object say to each other. Free of `cloudflare:workers`, so the
// HTTP layer can use it without loading the object's class.
export {
  INTERNAL_ACTOR,
  LIVE_AGGREGATE_PARAM,
  LIVE_FROM_PARAM,
  LIVE_ID_PARAM,
  type CommandOutcome,
  type CommandRequest,
  type CommandSuccess,
  type CurrentState,
  type CurrentStateReader,
  type StateReadRequest,
  type StreamPage,
  type StreamReadRequest,
} from "./protocol.js";
