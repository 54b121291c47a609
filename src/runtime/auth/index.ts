export { isRuntimeActor, RUNTIME_ACTOR_PREFIX, runtimeActor, type Actor } from "./actor.js";
export type { Authenticate, Authentication } from "./authentication.js";
export { bearerTokens, constantTimeEqual, type BearerTokenBindings, type SecretName } from "./bearer-tokens.js";
