import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HttpError } from "../errors/index.js";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./json-depth.js";

/** Largest request body accepted: commands become events, and events must fit a 128 KB queue message. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Refuses bodies over {@link MAX_BODY_BYTES} before they are read in full. */
export const limitBody = (): MiddlewareHandler =>
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new HttpError(413, "payload_too_large", `request body exceeds ${MAX_BODY_BYTES} bytes`, { limit: MAX_BODY_BYTES });
    },
  });

/**
 * The request's JSON body; an empty body is `{}` so payload-less commands need no body. Nesting
 * past {@link MAX_JSON_DEPTH} is refused before the text is parsed.
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new HttpError(400, "invalid_json", `request body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`, { maxDepth: MAX_JSON_DEPTH });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, "invalid_json", "request body is not valid JSON");
  }
}
