export { HttpError, type ErrorBody, type ErrorCode } from "./http-error";
export { ErrorBodySchema, errorResponses } from "./error-schemas";
export { issuesOf, type IssueBody } from "./zod-issues";
