export { HttpError, type ErrorBody, type ErrorCode } from "./http-error";
