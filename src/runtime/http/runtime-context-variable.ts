import type { Context, Env, MiddlewareHandler } from "hono";
import type { RuntimeContext } from "../runtime-context/index.js";

const VARIABLE = "edgeCqrsRuntimeContext";

/** The hono variable the runtime's context travels in. */
interface ContextVariables {
  [VARIABLE]: RuntimeContext;
}

/**
 * Hands the runtime's context to a query's route. Queries mount themselves (`QueryRoute.mount`,
 * whose type applications see), so the context reaches them on hono's context rather than as an
 * argument that would make the runtime's internals part of that type.
 */
export function provideRuntimeContext(context: RuntimeContext): MiddlewareHandler<{ Variables: ContextVariables }> {
  return async function provideRuntimeContext(c, next) {
    c.set(VARIABLE, context);
    await next();
  };
}

/** The runtime's context, in a route that {@link provideRuntimeContext} runs before. */
export function runtimeContextIn<E extends Env>(c: Context<E>): RuntimeContext {
  const context = (c as unknown as Context<{ Variables: ContextVariables }>).get(VARIABLE) as RuntimeContext | undefined;
  if (!context) throw new Error("a query's route answers only inside the runtime's HTTP app (runtime.http)");
  return context;
}
