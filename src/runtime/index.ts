// `edge-cqrs` inside the Workers runtime (the `workerd` and `worker` export conditions): the whole
// public surface, with `createRuntime`, which builds the Durable Object class and so imports
// `cloudflare:workers`.
export * from "./public-api.js";
export { createRuntime } from "./create-runtime/index.js";
