export { HttpError, type ErrorBody, type ErrorCode } from "./http-error";
export { issuesOf, type IssueBody } from "./zod-issues";
