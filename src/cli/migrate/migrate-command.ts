import { existsSync } from "node:fs";
import { relative } from "node:path";
import { EXIT_OK, EXIT_PROBLEM } from "../cli-error.js";
import { parseCommandArgs, type Command } from "../command.js";
import { migrationsDirOf, readProjectConfig, runWrangler } from "../project/index.js";

const HELP = `Usage: edge-cqrs migrate [--config <file>] [--env <name>] [--persist-to <dir>] [-- <wrangler options>]

Applies every D1 binding's migrations to the local state, one binding after the other, with
\`wrangler d1 migrations apply <binding> --local\`. Already applied migrations are skipped, so it
is safe to run at any time, including while \`wrangler dev\` (npm start) runs on the same state:
the running Worker sees the new tables at once, without a restart. Run it after adding a
migration file.

Options:
  -c, --config <file>    wrangler.toml, wrangler.json or wrangler.jsonc (default: found by wrangler)
  -e, --env <name>       a named environment of the configuration
      --persist-to <dir> the local state directory, as given to wrangler dev (default: .wrangler/state)
  -h, --help             this help
  -- <options>           passed to every \`wrangler d1 migrations apply\` unchanged

Exit codes: 0 every binding is up to date, 1 a migration failed (wrangler's output says which),
2 usage error.`;

const OPTIONS = {
  config: { type: "string", short: "c" },
  env: { type: "string", short: "e" },
  "persist-to": { type: "string" },
} as const;

/** `edge-cqrs migrate`: wrangler applies each D1 binding's migrations locally, its output shown as it runs. */
export const migrateCommand: Command = {
  name: "migrate",
  summary: "apply every D1 binding's migrations to the local state (safe while wrangler dev runs)",
  help: HELP,
  async run(args, context) {
    const { values, rest } = parseCommandArgs("migrate", args, OPTIONS);
    const { cwd } = context;
    const config = await readProjectConfig({ cwd, configPath: values.config, env: values.env }, { hideWarnings: true });
    if (config.d1_databases.length === 0) {
      context.out(`no D1 bindings in ${relative(cwd, config.userConfigPath)}: nothing to migrate`);
      return EXIT_OK;
    }
    const failed: string[] = [];
    for (const database of config.d1_databases) {
      const directory = migrationsDirOf(database, config.userConfigPath);
      if (!existsSync(directory)) {
        context.out(`${database.binding}: no migrations directory (${relative(cwd, directory)}), skipped`);
        continue;
      }
      context.out(`${database.binding}: applying ${relative(cwd, directory)}`);
      const wranglerArgs = ["d1", "migrations", "apply", database.binding, "--local", "--config", config.userConfigPath];
      if (values.env !== undefined) wranglerArgs.push("--env", values.env);
      if (values["persist-to"] !== undefined) wranglerArgs.push("--persist-to", values["persist-to"]);
      const result = await runWrangler([...wranglerArgs, ...rest], { cwd, inherit: true });
      if (result.status !== 0) failed.push(database.binding);
    }
    if (failed.length > 0) {
      context.err(`migrations failed for ${failed.join(", ")}: see wrangler's output above`);
      return EXIT_PROBLEM;
    }
    context.out("local D1 databases are up to date");
    return EXIT_OK;
  },
};
