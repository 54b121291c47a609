export { HttpError, type ErrorBody, type ErrorCode } from "./http-error.js";
export { ErrorBodySchema, errorResponses } from "./error-schemas.js";
export { issuesOf, type IssueBody } from "./zod-issues.js";
