import type { Context } from "hono";
import { HttpError } from "../errors/index.js";
import { describeError, writeLog } from "../observability/index.js";

/** The single place errors become responses: known ones with their status, the rest as a bare 500. */
export function errorResponse(error: Error, c: Context): Response {
  if (error instanceof HttpError) {
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return c.json(error.toBody(), error.status);
  }
  const text = describeError(error);
  // An unexpected 500 is a bug: its stack is what finds it, so this one line keeps it.
  writeLog("error", { event: "http.unhandled-error", msg: `${c.req.method} ${c.req.path} failed: ${text}`, method: c.req.method, path: c.req.path, error: text, stack: error.stack });
  return c.json({ error: "internal_error", message: "the server failed to handle the request" }, 500);
}

export function notFoundResponse(c: Context): Response {
  return c.json({ error: "not_found", message: `no route for ${c.req.method} ${c.req.path}` }, 404);
}
