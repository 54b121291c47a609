export {
  DEFAULT_AGGREGATES_BINDING,
  type AnyApplication,
  type Application,
  type BindingName,
  type D1Binding,
  type DurableObjectBinding,
  type QueueBinding,
} from "./application.js";
export { createRuntime, type LogOptions, type Runtime, type RuntimeOptions } from "./create-runtime.js";
