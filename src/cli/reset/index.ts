export { resetCommand } from "./reset-command.js";
