import { bindingsCommand } from "./bindings/index.js";
import { checkCommand } from "./check/index.js";
import { contractsCommand } from "./contracts/index.js";
import type { Command } from "./command.js";
import { devVarsCommand } from "./dev-vars/index.js";
import { initCommand } from "./init/index.js";
import { migrateCommand } from "./migrate/index.js";
import { resetCommand } from "./reset/index.js";

/**
 * Every `edge-cqrs` command, in the order `--help` lists them. A new command is one module
 * exporting a `Command` and one line here.
 */
export const COMMANDS: readonly Command[] = [
  // `init` first: it is the first command a new user runs.
  initCommand,
  checkCommand,
  bindingsCommand,
  contractsCommand,
  devVarsCommand,
  migrateCommand,
  resetCommand,
];
