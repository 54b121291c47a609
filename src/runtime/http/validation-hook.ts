import type { z } from "zod";
import { HttpError, issuesOf } from "../errors/index.js";

/** Turns a failed route validation into the contract's 400s: a bad path segment is an id, the rest is the query. */
export function validationHook(result: { success: true } | { success: false; error: z.ZodError; target: string }): void {
  if (result.success) return;
  const code = result.target === "param" ? "invalid_id" : "invalid_query";
  const message = result.target === "param" ? "a path parameter is malformed" : `the ${result.target} parameters are invalid`;
  throw new HttpError(400, code, message, { issues: issuesOf(result.error) });
}
