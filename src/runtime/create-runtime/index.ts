export { createRuntime } from "./create-runtime";
export type { Application } from "./application";
