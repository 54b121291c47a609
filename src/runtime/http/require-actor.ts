import type { MiddlewareHandler } from "hono";
import type { Actor, Authenticate } from "../auth/index.js";
import { HttpError } from "../errors/index.js";

/** What the runtime's routes keep on hono's context: the caller, once authenticated. */
export interface RuntimeVariables {
  actor: Actor;
}

export interface RequireActorOptions {
  /**
   * The requests that may carry the token as `?access_token=` instead of a header. Browsers cannot
   * set headers on a WebSocket, so the live-stream upgrade needs it; anywhere else a token in a URL
   * would only end up in logs and histories. Default: none.
   */
  readonly acceptsQueryToken?: (request: Request) => boolean;
}

/**
 * Runs the application's authentication and keeps the actor on the context for the route; no
 * actor is `401 unauthorized`. A query-string token, where accepted, reaches the authentication as
 * an `Authorization: Bearer` header, so one check serves both.
 */
export const requireActor = <E extends object>(
  authenticate: Authenticate<E>,
  { acceptsQueryToken = () => false }: RequireActorOptions = {},
): MiddlewareHandler<{ Bindings: E; Variables: RuntimeVariables }> =>
  async function requireActor(c, next) {
    const actor = await authenticate(withQueryToken(c.req.raw, acceptsQueryToken), c.env);
    if (!actor) {
      throw new HttpError(401, "unauthorized", "missing or wrong credentials", {}, { "WWW-Authenticate": 'Bearer realm="edge-cqrs"' });
    }
    c.set("actor", actor);
    await next();
  };

function withQueryToken(request: Request, accepts: (request: Request) => boolean): Request {
  if (request.headers.has("Authorization") || !accepts(request)) return request;
  const token = new URL(request.url).searchParams.get("access_token");
  if (token === null) return request;
  const headers = new Headers(request.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return new Request(request, { headers });
}
