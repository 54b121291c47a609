import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { EXIT_OK, EXIT_PROBLEM, usageError } from "../cli-error.js";
import { parseCommandArgs, type Command } from "../command.js";
import { localStateDir } from "../project/index.js";

const HELP = `Usage: edge-cqrs reset --yes [--config <file>] [--persist-to <dir>]

Deletes the local state \`wrangler dev\` keeps (Durable Objects with every event stream, queues,
D1 read models), so the project starts empty: the README tour can run again without
"order_already_exists". Stop \`wrangler dev\` first, then run \`edge-cqrs migrate\` (npm start does)
to recreate the D1 tables.

Without --yes it only says what it would delete, and exits 1.

Options:
  -y, --yes              really delete
  -c, --config <file>    the configuration whose .wrangler/state is meant (default: the working directory's)
      --persist-to <dir> the state directory given to wrangler dev instead (default: .wrangler/state)
  -h, --help             this help

Only a directory that is recognisably wrangler's local state is deleted: one whose entries are all
wrangler's versioned state folders (\`v3\`). Anything else (\`src\`, \`.git\`, the project itself) is
refused with exit 2, so a mistyped --persist-to never deletes source.

Exit codes: 0 deleted (or nothing to delete), 1 not deleted because --yes is missing, 2 usage error
(including a directory that is not wrangler's local state).`;

const OPTIONS = {
  yes: { type: "boolean", short: "y" },
  config: { type: "string", short: "c" },
  "persist-to": { type: "string" },
} as const;

/** `edge-cqrs reset`: removes the local state directory, only with --yes. */
export const resetCommand: Command = {
  name: "reset",
  summary: "delete the local state (event streams, queues, read models) so the project starts empty",
  help: HELP,
  async run(args, context) {
    const { values } = parseCommandArgs("reset", args, OPTIONS);
    const { cwd } = context;
    const stateDir = localStateDir({ persistTo: values["persist-to"], configPath: values.config, cwd });
    const shown = relative(cwd, stateDir) || stateDir;
    if (!existsSync(stateDir)) {
      context.out(`nothing to reset: ${shown} does not exist`);
      return EXIT_OK;
    }
    refuseProjectDirectory(stateDir, cwd, values.config);
    refuseUnrecognisedDirectory(stateDir);
    if (!values.yes) {
      context.out(`would delete ${shown} (${describeContents(stateDir)}); run again with --yes to delete it`);
      return EXIT_PROBLEM;
    }
    rmSync(stateDir, { recursive: true, force: true });
    context.out(`deleted ${shown}; run \`edge-cqrs migrate\` (or npm start) to recreate the local D1 tables`);
    return EXIT_OK;
  },
};

/**
 * A mistyped --persist-to (`.`, `..`, `src`) must not delete the project: refuse any directory
 * that holds the working directory, the configuration or a package.json.
 */
function refuseProjectDirectory(stateDir: string, cwd: string, configPath: string | undefined): void {
  const inside = (path: string) => path === stateDir || path.startsWith(stateDir + sep);
  const config = configPath === undefined ? undefined : resolve(cwd, configPath);
  if (inside(cwd) || (config !== undefined && inside(dirname(config))) || existsSync(join(stateDir, "package.json"))) {
    throw usageError(`refusing to delete ${stateDir}: it holds the project, not only wrangler's local state`);
  }
  if (!statSync(stateDir).isDirectory()) throw usageError(`refusing to delete ${stateDir}: it is not a directory`);
}

/**
 * Miniflare keeps everything under one versioned folder of the persist directory (`v3/d1`,
 * `v3/do`, `v3/queues`…), so wrangler's state holds nothing but `v<N>` folders. Anything else
 * beside them means the path names some other directory (`src`, `.git`, a typo) and is refused
 * before a single file goes.
 */
const STATE_ENTRY = /^v\d+$/;

function refuseUnrecognisedDirectory(stateDir: string): void {
  const foreign = readdirSync(stateDir, { withFileTypes: true }).filter((entry) => !(entry.isDirectory() && STATE_ENTRY.test(entry.name)));
  if (foreign.length === 0) return;
  const named = foreign.slice(0, 3).map((entry) => entry.name).join(", ");
  throw usageError(
    `refusing to delete ${stateDir}: it is not wrangler's local state (it holds ${named}${foreign.length > 3 ? ", …" : ""}; wrangler's state holds only v3/)`,
  );
}

/** How much would go: the number of files under the directory. */
function describeContents(stateDir: string): string {
  const entries = readdirSync(stateDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return `${entries.length} file${entries.length === 1 ? "" : "s"}`;
}
