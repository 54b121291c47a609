// Test helpers for users' own decider tests; kept out of the Worker bundle's import graph.
export * from "./decider-testing";
