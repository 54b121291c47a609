// The host side of the runtime: composes an application into a Worker's exports. Imports the
// Workers runtime (`cloudflare:workers`), so only the Worker entry module loads it.
export { createRuntime, type Application } from "./create-runtime";
