import type { z } from "zod";

/** One zod issue as it appears in a 400 body: where, which rule, and what it says. */
export interface IssueBody {
  readonly path: string[];
  readonly code: string;
  readonly message: string;
}

/** Zod issues in the shape every 400 body uses for `issues`. */
export function issuesOf(error: z.ZodError): IssueBody[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String), code: issue.code, message: issue.message }));
}
