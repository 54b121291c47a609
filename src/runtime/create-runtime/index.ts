export type { AnyApplication, Application, BindingName, D1Binding, DurableObjectBinding, QueueBinding } from "./application.js";
export { createRuntime, type LogOptions, type Runtime, type RuntimeOptions } from "./create-runtime.js";
export { runtimeContextOf } from "./runtime-context-of.js";
