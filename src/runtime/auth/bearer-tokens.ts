import { DEFAULT_TOKEN_SECRETS } from "../manifest/index.js";
import type { Actor } from "./actor.js";
import type { Authenticate, Authentication } from "./authentication.js";

/** Names of the env bindings holding the two bearer tokens. */
export interface BearerTokenBindings<E> {
  readonly api: SecretName<E>;
  readonly admin: SecretName<E>;
}

/** A binding of `E` whose value is a string: a secret or a var. */
export type SecretName<E> = { [K in keyof E]-?: E[K] extends string ? K : never }[keyof E] & string;

/**
 * The default authentication: `Authorization: Bearer <token>` compared in constant time with a
 * secret, `API_TOKEN` for commands and queries and `ADMIN_TOKEN` for the admin routes. The actor is
 * the token's role (`api` or `admin`). A secret that is not set is a configuration error (500),
 * never an open door.
 *
 * @example
 * createRuntime(application, { auth: bearerTokens<Env>({ api: "CLIENT_TOKEN", admin: "OPS_TOKEN" }) });
 */
export function bearerTokens<E>(bindings?: BearerTokenBindings<E>): Authentication<E> {
  const api = bindings?.api ?? DEFAULT_TOKEN_SECRETS.api;
  const admin = bindings?.admin ?? DEFAULT_TOKEN_SECRETS.admin;
  return { api: tokenCheck<E>(api, { id: "api" }), admin: tokenCheck<E>(admin, { id: "admin" }) };
}

function tokenCheck<E>(binding: string, actor: Actor): Authenticate<E> {
  return async (request, env) => {
    const expected = (env as Record<string, unknown>)[binding];
    if (typeof expected !== "string" || expected.length === 0) {
      throw new Error(`secret ${binding} is not set: add it to .dev.vars locally or with \`wrangler secret put ${binding}\``);
    }
    const presented = /^Bearer[ ]+(\S+)$/i.exec(request.headers.get("Authorization") ?? "")?.[1];
    return presented !== undefined && (await constantTimeEqual(presented, expected)) ? actor : null;
  };
}

/**
 * Compares two secrets without leaking where they differ or how long they are: both are hashed
 * to equal-length digests first, then compared with the runtime's timing-safe primitive.
 */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [da, db] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(a)), crypto.subtle.digest("SHA-256", encoder.encode(b))]);
  return crypto.subtle.timingSafeEqual(da, db);
}
