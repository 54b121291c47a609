import { z } from "zod";
import { RESERVED_METADATA_KEYS } from "../envelope/index.js";
import { HttpError, issuesOf } from "../errors/index.js";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./json-depth.js";

/** Caller metadata rides on every event and every queue message, so it is kept small. */
export const MAX_METADATA_FIELDS = 16;
const MAX_METADATA_VALUE = 512;

const EventMetadataHeaderSchema = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/), z.string().max(MAX_METADATA_VALUE))
  .refine((fields) => Object.keys(fields).length <= MAX_METADATA_FIELDS, `at most ${MAX_METADATA_FIELDS} fields`);

// A caller key named like a member of every object (`constructor`, `toString`, `hasOwnProperty`…)
// would shadow it on the stored metadata, and a consumer calling `metadata.hasOwnProperty(…)` would
// find a string; `__proto__` would be dropped by the schema without a word.
const OBJECT_MEMBER_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * `X-Event-Metadata: {"tenant":"acme","channel":"web"}`: caller-supplied string fields copied onto
 * every event the command appends. A key the runtime owns on the envelope or in its metadata
 * ({@link RESERVED_METADATA_KEYS}), or a member name of every object, is refused with 400
 * `invalid_header` naming it, never silently dropped, so a caller learns at once that it cannot
 * set `eventId`, `commandId` and the like.
 */
export function parseEventMetadataHeader(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
    throw new HttpError(400, "invalid_header", `X-Event-Metadata nests deeper than ${MAX_JSON_DEPTH} levels`, { maxDepth: MAX_JSON_DEPTH });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new HttpError(400, "invalid_header", "X-Event-Metadata must be a JSON object of strings");
  }
  // Before the schema, which would drop a `__proto__` key silently instead of refusing it.
  const refused = isRecord(parsed) ? Object.keys(parsed).filter((key) => RESERVED_METADATA_KEYS.has(key) || OBJECT_MEMBER_NAMES.has(key)) : [];
  if (refused.length > 0) {
    throw new HttpError(400, "invalid_header", `X-Event-Metadata may not set reserved names: ${refused.join(", ")}`, { keys: refused });
  }
  const result = EventMetadataHeaderSchema.safeParse(parsed);
  if (!result.success) {
    throw new HttpError(400, "invalid_header", `X-Event-Metadata must be a JSON object of at most ${MAX_METADATA_FIELDS} string fields`, {
      issues: issuesOf(result.error),
    });
  }
  return result.data;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
