import type { Actor } from "./actor.js";

/**
 * Decides who a request comes from: an {@link Actor}, or null to answer `401 unauthorized`.
 * Throw an `HttpError` to answer anything else (a 403, say).
 */
export type Authenticate<E> = (request: Request, env: E) => Actor | null | Promise<Actor | null>;

/** How each part of the API authenticates: `api` for commands and queries, `admin` for `/streams` and `/admin`. */
export interface Authentication<E> {
  readonly api: Authenticate<E>;
  readonly admin: Authenticate<E>;
}
