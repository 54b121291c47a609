import { z } from "zod";

/** Every error body (docs/http-api.md). */
export const ErrorBodySchema = z
  .looseObject({
    error: z.string().describe("Machine-readable code, e.g. invalid_command, version_conflict, stale."),
    message: z.string().describe("Human-readable explanation."),
  })
  .meta({ id: "Error" });

const DESCRIPTIONS: Record<number, string> = {
  400: "invalid_json, invalid_command (with issues), invalid_id, invalid_query, invalid_token or invalid_header",
  401: "unauthorized: missing or wrong credentials",
  404: "unknown_aggregate, unknown_command or not_found",
  409: "version_conflict (with expected and actual)",
  412: "stale: the consistency token was not reached in time (see Retry-After)",
  413: "payload_too_large",
  422: "rejected (with reason) or idempotency_key_reuse",
  426: "upgrade_required: the route speaks WebSocket only",
  503: "too_many_waiters: too many requests are waiting for the read model (see Retry-After)",
};

/** OpenAPI response entries for the given error statuses. */
export function errorResponses(statuses: readonly number[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, { description: DESCRIPTIONS[status] ?? "error", content: { "application/json": { schema: ErrorBodySchema } } }]),
  );
}
