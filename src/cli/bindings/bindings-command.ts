import { basename, relative } from "node:path";
import { EXIT_OK } from "../cli-error.js";
import { parseCommandArgs, type Command } from "../command.js";
import { configFormatOf, readProjectApplication, summarizeApplication } from "../project/index.js";
import { createCommands } from "./create-commands.js";
import { requirementBlocks, requirementsTable } from "./requirements-table.js";

const HELP = `Usage: edge-cqrs bindings [--config <file>] [--app <module>] [--env <name>] [--blocks]

Lists everything the application needs from its Worker's configuration, from the same manifest
\`edge-cqrs check\` and the runtime check against: Durable Object namespaces and their migrations,
queue producers and consumers, dead-letter queues' consumers, D1 databases, the stream catalog's
queue, the sweep's cron trigger, the metrics dataset and the secrets, each with who needs it.
Then the wrangler commands that create the databases, queues and secrets before the first deploy.

Options:
  -c, --config <file>    wrangler.toml, wrangler.json or wrangler.jsonc (default: found by wrangler
                         from the working directory); names it already gives are used
      --app <module>     the module exporting \`application\` (default: package.json "edge-cqrs".app,
                         else src/app/index.ts)
  -e, --env <name>       a named environment of the configuration
      --blocks           also print every block, in the configuration's format (TOML or JSON)
  -h, --help             this help

Exit codes: 0 listed, 2 usage error.`;

const OPTIONS = {
  config: { type: "string", short: "c" },
  app: { type: "string" },
  env: { type: "string", short: "e" },
  blocks: { type: "boolean" },
} as const;

/** `edge-cqrs bindings`: the application's manifest as a list, its blocks, and the commands that create its resources. */
export const bindingsCommand: Command = {
  name: "bindings",
  summary: "list every binding, queue and secret the application needs, and the commands that create them",
  help: HELP,
  async run(args, context) {
    const { values } = parseCommandArgs("bindings", args, OPTIONS);
    const { cwd } = context;
    const { config, appModule, application, manifest } = await readProjectApplication({ cwd, configPath: values.config, appPath: values.app, env: values.env, hideWarnings: true });
    const configFile = relative(cwd, config.userConfigPath) || basename(config.userConfigPath);

    context.out(`edge-cqrs bindings: what ${relative(cwd, appModule)} needs from ${configFile} (${summarizeApplication(application)})\n`);
    context.out(requirementsTable(manifest));
    if (values.blocks === true) context.out(`\n${requirementBlocks(manifest, configFormatOf(config))}`);
    context.out(`\nTo create before the first deploy (once per account; the secrets once per Worker):\n\n${createCommands(manifest, config).map((c) => `  ${c}`).join("\n")}`);
    return EXIT_OK;
  },
};
