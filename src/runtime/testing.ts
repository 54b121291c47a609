// `edge-cqrs/testing`: what a user's own test suite needs. The decider kit is pure and runs in
// Node; the read-side helpers run inside workerd under @cloudflare/vitest-plugin.
export * from "./decider-testing/index.js";
