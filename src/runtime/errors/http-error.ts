import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The machine-readable codes a client can rely on (docs/http-api.md), plus the runtime's own additions. */
export type ErrorCode =
  | "invalid_json"
  | "invalid_command"
  | "invalid_id"
  | "invalid_query"
  | "invalid_token"
  | "invalid_header"
  | "unauthorized"
  | "unknown_aggregate"
  | "unknown_command"
  | "not_found"
  | "version_conflict"
  | "stale"
  | "too_many_waiters"
  | "payload_too_large"
  | "upgrade_required"
  | "rejected"
  | "internal_command"
  | "idempotency_key_reuse"
  | "too_many_subscribers"
  | "rebuild_running"
  | "not_rebuildable"
  | "misconfigured"
  | "internal_error";

/** JSON body of every error response: `{error, message, ...details}`. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  [detail: string]: unknown;
}

/**
 * The one error type of the runtime: it carries its HTTP status, so a single `onError`
 * turns it into a response.
 *
 * @example
 * throw new HttpError(404, "not_found", "Order o-1 does not exist");
 */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }

  /** The response body every error has (docs/http-api.md, "Errors"). */
  toBody(): ErrorBody {
    return { ...this.details, error: this.code, message: this.message };
  }

  /** Rebuilds an error that crossed an RPC boundary as a plain body. */
  static fromBody(status: ContentfulStatusCode, body: ErrorBody): HttpError {
    const { error, message, ...details } = body;
    return new HttpError(status, error, message, details);
  }
}
