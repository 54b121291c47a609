export { availableTemplates, DEFAULT_TEMPLATE, initProject, ownVersion, packagedTemplatesRoot, type InitOptions } from "./init.js";
export { initCommand } from "./init-command.js";
