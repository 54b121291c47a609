// `edge-cqrs` everywhere else (Node, plain bundlers): the same surface, so a domain's definitions
// and its decider tests load in Node. `cloudflare:workers` exists only in the Workers runtime, so
// here `createRuntime` is a stand-in that says where it runs instead of failing at import.
import type { createRuntime as createRuntimeInWorkers } from "./create-runtime/index.js";

export * from "./public-api.js";

/** Composes an application into a Worker's exports. Only in the Workers runtime (workerd). */
export const createRuntime: typeof createRuntimeInWorkers = () => {
  throw new Error("createRuntime runs in the Workers runtime only: import edge-cqrs from a Worker (wrangler resolves the `workerd` condition)");
};
