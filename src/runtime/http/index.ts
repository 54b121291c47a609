export { requireActor, type RequireActorOptions, type RuntimeVariables } from "./require-actor";
export { CommandSuccessSchema } from "./command-routes";
export { createHttpApp, type HttpAppOptions } from "./create-http-app";
export { ConsistencyQuerySchema, defineQuery, type QueryConfig, type QueryInput, type QueryRoute } from "./define-query";
export { MAX_BODY_BYTES } from "./json-body";
export { MAX_JSON_DEPTH } from "./json-depth";
