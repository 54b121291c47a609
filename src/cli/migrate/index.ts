export { migrateCommand } from "./migrate-command.js";
