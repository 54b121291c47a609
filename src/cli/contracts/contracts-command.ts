import { relative, resolve } from "node:path";
import { contractSchemas } from "../../runtime/contracts/index.js";
import { EXIT_OK, EXIT_PROBLEM } from "../cli-error.js";
import { parseCommandArgs, type Command } from "../command.js";
import { plural, readProjectApplication } from "../project/index.js";
import { contractDefinitionsOf } from "./contract-definitions.js";
import { contractDrift, contractFiles, writeContracts } from "./contract-files.js";

/** Where the schemas go unless `--out` says otherwise, relative to the project (the configuration's folder). */
export const DEFAULT_CONTRACTS_DIR = "contracts";

const HELP = `Usage: edge-cqrs contracts [--out <dir>] [--check] [--config <file>] [--app <module>] [--env <name>]

Writes the application's contracts as JSON Schema (draft 2020-12), one file each:
  commands/<aggregate>.<command>.json     a command's payload, as clients send it
  events/<aggregate>.<Event>.v<n>.json    an event's data at its current schema version
  public/<type>.json                      a publisher's public event: the whole CloudEvent
Commit them and hand public/ to the teams that consume your integration events: a changed file
is a changed contract. JSON files in those three folders that no contract produces any more are
removed; nothing else in the folder is touched.

Options:
  -o, --out <dir>        the folder (default: contracts/ beside the wrangler configuration)
      --check            write nothing; exit 1 when the folder differs from the application
  -c, --config <file>    wrangler.toml, wrangler.json or wrangler.jsonc (default: found from here upwards)
      --app <module>     the module exporting \`application\` (default: package.json "edge-cqrs".app,
                         else src/app/index.ts)
  -e, --env <name>       a named environment of the configuration
  -h, --help             this help

Exit codes: 0 written (or, with --check, up to date), 1 the folder is stale (--check) or the
application does not load, 2 usage error.`;

const OPTIONS = {
  out: { type: "string", short: "o" },
  check: { type: "boolean" },
  config: { type: "string", short: "c" },
  app: { type: "string" },
  env: { type: "string", short: "e" },
} as const;

/** `edge-cqrs contracts`: the application's command, event and public-event schemas, as files. */
export const contractsCommand: Command = {
  name: "contracts",
  summary: "write the JSON Schemas of the application's commands, events and public events (or --check them)",
  help: HELP,
  async run(args, context) {
    const { values } = parseCommandArgs("contracts", args, OPTIONS);
    const { cwd } = context;
    const project = await readProjectApplication({ cwd, configPath: values.config, appPath: values.app, env: values.env, hideWarnings: true });
    const { aggregates, publishers } = contractDefinitionsOf(project.exported, project.appModule);
    const files = contractFiles(contractSchemas(aggregates, publishers));
    // --out is typed by the user, so relative to where they stand; the default belongs to the project.
    const dir = values.out === undefined ? resolve(project.projectDir, DEFAULT_CONTRACTS_DIR) : resolve(cwd, values.out);
    const shown = relative(cwd, dir) || ".";
    const drift = contractDrift(dir, files);
    const stale = [...drift.missing, ...drift.changed, ...drift.extra];

    if (values.check === true) {
      if (stale.length === 0) {
        context.out(`ok: ${shown}/ holds the ${plural(files.size, "contract")} of ${relative(cwd, project.appModule)}`);
        return EXIT_OK;
      }
      const lines = [...drift.missing.map((p) => `  missing  ${p}`), ...drift.changed.map((p) => `  changed  ${p}`), ...drift.extra.map((p) => `  extra    ${p}`)];
      context.err(`${shown}/ differs from ${relative(cwd, project.appModule)}:\n${lines.join("\n")}\nrun \`npx edge-cqrs contracts${values.out === undefined ? "" : ` --out ${values.out}`}\` and review the diff`);
      return EXIT_PROBLEM;
    }

    writeContracts(dir, files, drift);
    const lines = [...drift.missing.map((p) => `  wrote    ${p}`), ...drift.changed.map((p) => `  updated  ${p}`), ...drift.extra.map((p) => `  removed  ${p}`)];
    context.out(
      [`edge-cqrs contracts: ${plural(files.size, "contract")} of ${relative(cwd, project.appModule)} in ${shown}/ (${drift.unchanged.length} unchanged)`, ...lines].join("\n"),
    );
    return EXIT_OK;
  },
};
