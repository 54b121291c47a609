export { command, defineProcessManager, type IssuedCommand, type ProcessManager, type ProcessManagerConfig } from "./define-process-manager.js";
