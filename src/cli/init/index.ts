export { initProject, InitError, ownVersion, packagedTemplatesRoot, type InitOptions } from "./init";
