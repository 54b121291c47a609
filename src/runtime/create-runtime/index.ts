export { createRuntime, type Application } from "./create-runtime";
