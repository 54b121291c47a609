export { devVarsCommand } from "./dev-vars-command.js";
