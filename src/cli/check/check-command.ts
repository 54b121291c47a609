import { existsSync } from "node:fs";
import { basename, relative } from "node:path";
import { requirementsOf, type Manifest } from "../../runtime/manifest/index.js";
import { EXIT_OK, EXIT_PROBLEM } from "../cli-error.js";
import { parseCommandArgs, type Command } from "../command.js";
import {
  configFormatOf,
  localStateDir,
  migrationsDirOf,
  plural,
  readLocalMigrationState,
  readLocalSecretNames,
  readProjectApplication,
  summarizeApplication,
  type LocalMigrationState,
  type ReadProjectConfig,
} from "../project/index.js";
import { checkProject } from "./check-project.js";
import { renderFix } from "./fix-block.js";
import type { Problem } from "./problem.js";

const HELP = `Usage: edge-cqrs check [--config <file>] [--app <module>] [--env <name>] [--persist-to <dir>]

Checks the project's wrangler configuration against the application's definitions and reports
every problem, each with the exact block that fixes it (TOML for wrangler.toml, JSON for
wrangler.json/.jsonc):
  - the aggregates' Durable Object binding (missing or stray) and its new_sqlite_classes migration
  - one queue producer per projection and process manager (binding and queue as defined; no strays)
  - its queue consumer, with the definition's dead_letter_queue and explicit max_batch_size,
    max_batch_timeout and max_retries; a consumer for each dead-letter queue; no stray consumers
  - each D1 binding the definitions write to, with a migrations_dir
  - D1 migrations not applied to the local state (when there is local state)
  - API_TOKEN and ADMIN_TOKEN in .dev.vars or vars (a warning only)
  - the Analytics Engine dataset the application's bindings.metrics names, when it names one

Options:
  -c, --config <file>    wrangler.toml, wrangler.json or wrangler.jsonc (default: found by wrangler
                         from the working directory)
      --app <module>     the module exporting \`application\` (default: package.json "edge-cqrs".app,
                         else src/app/index.ts)
  -e, --env <name>       a named environment of the configuration
      --persist-to <dir> the local state directory, as given to wrangler dev (default: .wrangler/state)
  -h, --help             this help

Exit codes: 0 nothing wrong (warnings may be printed), 1 at least one error, 2 usage error.`;

const OPTIONS = {
  config: { type: "string", short: "c" },
  app: { type: "string" },
  env: { type: "string", short: "e" },
  "persist-to": { type: "string" },
} as const;

/** `edge-cqrs check`: reads the project, runs the pure checks, prints each problem with its fix. */
export const checkCommand: Command = {
  name: "check",
  summary: "check wrangler's configuration against the application's definitions",
  help: HELP,
  async run(args, context) {
    const { values } = parseCommandArgs("check", args, OPTIONS);
    const { cwd } = context;
    const { config, projectDir, appModule, application, manifest } = await readProjectApplication({ cwd, configPath: values.config, appPath: values.app, env: values.env });
    const stateDir = localStateDir({ persistTo: values["persist-to"], configPath: config.userConfigPath, cwd });
    const hasLocalState = existsSync(stateDir);
    const localMigrations = await readLocalMigrations(config, manifest, { env: values.env, persistTo: values["persist-to"], cwd, hasLocalState });
    const problems = checkProject({
      config,
      manifest,
      localSecrets: readLocalSecretNames(projectDir, values.env),
      localMigrations,
    });

    const configFile = relative(cwd, config.userConfigPath) || basename(config.userConfigPath);
    context.out(`edge-cqrs check: ${configFile} against ${relative(cwd, appModule)} (${summarizeApplication(application)})\n`);
    for (const problem of problems) context.out(`${formatProblem(problem, config, configFile)}\n`);
    if (!hasLocalState) {
      context.out(`note: no local state in ${relative(cwd, stateDir) || stateDir} yet, so local D1 migrations were not compared; \`edge-cqrs migrate\` applies them\n`);
    }
    context.out(summary(problems, configFile));
    return problems.some((p) => p.severity === "error") ? EXIT_PROBLEM : EXIT_OK;
  },
};

/**
 * The local migration state of each D1 binding the definitions write to. Without local state
 * there is nothing to compare with, but a missing migrations directory is still worth saying.
 */
async function readLocalMigrations(
  config: ReadProjectConfig,
  manifest: Manifest,
  { hasLocalState, ...options }: { env?: string | undefined; persistTo?: string | undefined; cwd: string; hasLocalState: boolean },
): Promise<LocalMigrationState[]> {
  const used = new Set(requirementsOf(manifest, "d1-database").map((d) => d.name));
  const databases = config.d1_databases.filter((d) => used.has(d.binding));
  const states: LocalMigrationState[] = [];
  for (const database of databases) {
    const directory = migrationsDirOf(database, config.userConfigPath);
    if (!existsSync(directory)) {
      states.push({ binding: database.binding, status: "no-directory", directory: relative(options.cwd, directory) || "." });
    } else if (hasLocalState) {
      // One at a time: each run starts a local workerd, and they would share the same state files.
      states.push(await readLocalMigrationState(database, { ...options, configPath: config.userConfigPath }));
    }
  }
  return states;
}

function formatProblem(problem: Problem, config: ReadProjectConfig, configFile: string): string {
  const head = `${problem.severity} [${problem.code}] ${problem.message}`;
  if (!problem.fix) return head;
  const fix = renderFix(problem.fix, configFormatOf(config), configFile);
  return `${head}\n${fix
    .split("\n")
    .map((line) => (line === "" ? line : `  ${line}`))
    .join("\n")}`;
}

function summary(problems: readonly Problem[], configFile: string): string {
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  const counted = [plural(errors, "error"), ...(warnings > 0 ? [plural(warnings, "warning")] : [])].join(", ");
  return errors === 0
    ? `ok: ${configFile} provides everything the application needs (${counted})`
    : `${counted}: ${configFile} does not provide everything the application needs yet`;
}
