import { copyFileSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { EXIT_OK } from "../cli-error.js";
import { parseCommandArgs, type Command } from "../command.js";
import { findConfig } from "../project/index.js";

const HELP = `Usage: edge-cqrs dev-vars [--config <file>]

Gives a fresh clone working local secrets: copies .dev.vars.example to .dev.vars beside the
wrangler configuration when .dev.vars is missing. It never overwrites an existing .dev.vars.
\`.dev.vars\` is git-ignored (it holds secrets), so a clone of a project has only the example;
a scaffolded project's \`npm start\` and \`npm test\` run this first.

Options:
  -c, --config <file>    the configuration whose folder holds the files (default: found from here upwards)
  -h, --help             this help

Exit codes: 0 created, already there, or no example to copy (said so), 2 usage error.`;

const OPTIONS = {
  config: { type: "string", short: "c" },
} as const;

/** The file local secrets live in, and the committed example it is made from. */
const DEV_VARS = ".dev.vars";
const DEV_VARS_EXAMPLE = ".dev.vars.example";

/** `edge-cqrs dev-vars`: creates .dev.vars from its example when missing. */
export const devVarsCommand: Command = {
  name: "dev-vars",
  summary: "create .dev.vars from .dev.vars.example when it is missing (local secrets for a fresh clone)",
  help: HELP,
  async run(args, context) {
    const { values } = parseCommandArgs("dev-vars", args, OPTIONS);
    const config = values.config === undefined ? findConfig(context.cwd) : join(context.cwd, values.config);
    const projectDir = config === undefined ? context.cwd : dirname(config);
    const devVars = join(projectDir, DEV_VARS);
    const example = join(projectDir, DEV_VARS_EXAMPLE);
    const shown = (path: string) => relative(context.cwd, path) || path;
    if (existsSync(devVars)) return EXIT_OK;
    if (!existsSync(example)) {
      context.out(`no ${shown(example)} to copy: local secrets stay unset (add them to ${shown(devVars)})`);
      return EXIT_OK;
    }
    copyFileSync(example, devVars);
    context.out(`created ${shown(devVars)} from ${shown(example)} (local development secrets)`);
    return EXIT_OK;
  },
};
