import type { MiddlewareHandler } from "hono";
import { HttpError } from "../errors";

/** The env bindings holding bearer tokens: API_TOKEN for commands and queries, ADMIN_TOKEN for /streams and /admin. */
export type TokenBinding = "API_TOKEN" | "ADMIN_TOKEN";

/**
 * Requires `Authorization: Bearer <token>` matching the secret in `env[binding]`, compared in
 * constant time. A missing secret is a configuration error and answers 500, never "open".
 */
export const bearerAuth = ({ binding }: { binding: TokenBinding }): MiddlewareHandler<{ Bindings: object }> =>
  async function bearerAuth(c, next) {
    const expected = (c.env as Record<string, unknown>)[binding];
    if (typeof expected !== "string" || expected.length === 0) {
      throw new Error(`secret ${binding} is not set: add it to .dev.vars locally or with \`wrangler secret put ${binding}\``);
    }
    const presented = /^Bearer[ ]+(\S+)$/i.exec(c.req.header("Authorization") ?? "")?.[1] ?? browserSocketToken(c.req.raw);
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

/**
 * Browsers cannot set headers on a WebSocket, so a live subscription may carry its token as
 * `?access_token=`. Only for upgrades: elsewhere a token in a URL would end up in logs for nothing.
 */
function browserSocketToken(request: Request): string | undefined {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return undefined;
  return new URL(request.url).searchParams.get("access_token") ?? undefined;
}
