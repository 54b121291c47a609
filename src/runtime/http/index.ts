export { requireActor, type RequireActorOptions, type RuntimeVariables } from "./require-actor.js";
export { CommandSuccessSchema } from "./command-routes.js";
export { createHttpApp, type HttpAppOptions } from "./create-http-app.js";
export { ConsistencyQuerySchema, defineQuery, type QueryConfig, type QueryInput, type QueryRoute } from "./define-query.js";
export { MAX_BODY_BYTES } from "./json-body.js";
export { MAX_JSON_DEPTH } from "./json-depth.js";
