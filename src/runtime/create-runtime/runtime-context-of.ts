import type { RuntimeContext } from "../runtime-context/index.js";
import type { Runtime } from "./create-runtime.js";

/** Where a runtime keeps its context: under a symbol, so it is no part of the `Runtime` type an application sees. */
export const RUNTIME_CONTEXT: unique symbol = Symbol("edge-cqrs.runtimeContext");

/** A runtime as `createRuntime` builds it, with its context. */
export type RuntimeWithContext<E extends object> = Runtime<E> & { readonly [RUNTIME_CONTEXT]: RuntimeContext };

/**
 * The context of a runtime `createRuntime` built: a test seam, for a test that must make the
 * runtime forget what it remembers (as a restart would) or remember something else.
 */
export function runtimeContextOf<E extends object>(runtime: Runtime<E>): RuntimeContext {
  const context = (runtime as Partial<RuntimeWithContext<E>>)[RUNTIME_CONTEXT];
  if (!context) throw new Error("runtimeContextOf: not a runtime that createRuntime built");
  return context;
}
