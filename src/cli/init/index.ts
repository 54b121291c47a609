export { initProject, ownVersion, packagedTemplatesRoot, type InitOptions } from "./init.js";
export { initCommand } from "./init-command.js";
