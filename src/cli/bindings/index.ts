export { bindingsCommand } from "./bindings-command.js";
