export { checkCommand } from "./check-command.js";
export { checkProject, type ProjectSnapshot } from "./check-project.js";
export { renderFix } from "./fix-block.js";
export type { Fix, Problem, ProblemCode, Severity } from "./problem.js";
