import { z } from "zod";
import { HttpError, issuesOf } from "../errors";

/** Caller metadata rides on every event and every queue message, so it is kept small. */
export const MAX_METADATA_FIELDS = 16;
const MAX_METADATA_VALUE = 512;

const EventMetadataHeaderSchema = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/), z.string().max(MAX_METADATA_VALUE))
  .refine((fields) => Object.keys(fields).length <= MAX_METADATA_FIELDS, `at most ${MAX_METADATA_FIELDS} fields`);

/**
 * `X-Event-Metadata: {"tenant":"acme","channel":"web"}`: caller-supplied string fields copied onto
 * every event the command appends (DESIGN §2). The runtime's own keys (commandId, correlationId,
 * causationId, recordedAt) cannot be overridden.
 */
export function parseEventMetadataHeader(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new HttpError(400, "invalid_header", "X-Event-Metadata must be a JSON object of strings");
  }
  const result = EventMetadataHeaderSchema.safeParse(parsed);
  if (!result.success) {
    throw new HttpError(400, "invalid_header", "X-Event-Metadata must be a JSON object of at most 16 string fields", {
      issues: issuesOf(result.error),
    });
  }
  return result.data;
}
