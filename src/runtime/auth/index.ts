export { runtimeActor, type Actor } from "./actor";
export type { Authenticate, Authentication } from "./authentication";
export { bearerTokens, constantTimeEqual, type BearerTokenBindings, type SecretName } from "./bearer-tokens";
