import type { MiddlewareHandler } from "hono";
import { HttpError } from "../errors";

/** The env bindings holding bearer tokens: API_TOKEN for commands and queries, ADMIN_TOKEN for /streams and /admin. */
export type TokenBinding = "API_TOKEN" | "ADMIN_TOKEN";

export interface BearerAuthOptions {
  readonly binding: TokenBinding;
  /**
   * The requests that may carry the token as `?access_token=` instead of a header. Browsers cannot
   * set headers on a WebSocket, so the live-stream upgrade needs it; anywhere else a token in a URL
   * would only end up in logs and histories. Default: none.
   */
  readonly acceptsQueryToken?: (request: Request) => boolean;
}

/**
 * Requires `Authorization: Bearer <token>` matching the secret in `env[binding]`, compared in
 * constant time. A missing secret is a configuration error and answers 500, never "open".
 */
export const bearerAuth = ({ binding, acceptsQueryToken = () => false }: BearerAuthOptions): MiddlewareHandler<{ Bindings: object }> =>
  async function bearerAuth(c, next) {
    const expected = (c.env as Record<string, unknown>)[binding];
    if (typeof expected !== "string" || expected.length === 0) {
      throw new Error(`secret ${binding} is not set: add it to .dev.vars locally or with \`wrangler secret put ${binding}\``);
    }
    const fromHeader = /^Bearer[ ]+(\S+)$/i.exec(c.req.header("Authorization") ?? "")?.[1];
    const presented = fromHeader ?? (acceptsQueryToken(c.req.raw) ? queryToken(c.req.raw) : undefined);
    if (presented === undefined || !(await constantTimeEqual(presented, expected))) {
      throw new HttpError(401, "unauthorized", "missing or wrong bearer token", {}, { "WWW-Authenticate": 'Bearer realm="edge-cqrs"' });
    }
    await next();
  };

/**
 * Compares two secrets without leaking where they differ or how long they are: both are hashed
 * to equal-length digests first, then compared with the runtime's timing-safe primitive.
 */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [da, db] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(a)), crypto.subtle.digest("SHA-256", encoder.encode(b))]);
  return crypto.subtle.timingSafeEqual(da, db);
}

function queryToken(request: Request): string | undefined {
  return new URL(request.url).searchParams.get("access_token") ?? undefined;
}
