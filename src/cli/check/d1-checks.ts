import type { ApplicationDescriptor, D1DatabaseConfig, LocalMigrationState, ProjectConfig } from "../project/index.js";
import { error, type Problem } from "./problem.js";

/** wrangler's own default for `migrations_dir`: suggesting it keeps every existing migration where it is. */
export const DEFAULT_MIGRATIONS_DIR = "migrations";

/** The D1 bindings the application's projections and process managers write to, each with a migrations_dir. */
export function checkD1Bindings(config: ProjectConfig, app: ApplicationDescriptor): Problem[] {
  const problems: Problem[] = [];
  const users = new Map<string, string[]>();
  for (const s of app.subscribers) users.set(s.database, [...(users.get(s.database) ?? []), s.name]);

  for (const [binding, names] of users) {
    const database = config.d1_databases.find((d) => d.binding === binding);
    if (!database) {
      problems.push(
        error("d1-binding-missing", `D1 binding ${binding} is missing: ${names.join(", ")} keep their views and checkpoints in it`, {
          kind: "add",
          section: "d1_databases",
          entry: {
            binding,
            database_name: databaseNameFor(binding),
            database_id: "00000000-0000-0000-0000-000000000000",
            migrations_dir: DEFAULT_MIGRATIONS_DIR,
          },
          note: `Any database_id works locally; before deploying, run \`npx wrangler d1 create ${databaseNameFor(binding)}\` and put the id it prints here.`,
        }),
      );
    } else if (database.migrations_dir === undefined) {
      problems.push(
        error(
          "d1-migrations-dir-missing",
          `D1 binding ${binding} has no migrations_dir: say where its migrations live, so \`edge-cqrs migrate\` and \`wrangler d1 migrations apply\` find them`,
          { kind: "replace", section: "d1_databases", entry: { ...databaseEntry(database), migrations_dir: DEFAULT_MIGRATIONS_DIR } },
        ),
      );
    }
  }
  return problems;
}

/** Migrations present in migrations_dir but not applied to the local database, and why that could not be told. */
export function checkLocalMigrations(states: readonly LocalMigrationState[]): Problem[] {
  return states.flatMap((state): Problem[] => {
    switch (state.status) {
      case "applied":
        return [];
      case "pending":
        return [
          error(
            "d1-migrations-not-applied",
            `D1 binding ${state.binding}: ${state.unapplied.length} migration(s) not applied locally (${state.unapplied.join(", ")}); queries on their tables answer 500 "no such table"`,
            { kind: "run", command: "npx edge-cqrs migrate" },
          ),
        ];
      case "no-directory":
        return [error("d1-migrations-dir-not-found", `D1 binding ${state.binding}: migrations_dir ${state.directory} does not exist`)];
      case "unknown":
        return [error("d1-migrations-state-unknown", `D1 binding ${state.binding}: could not read the local migration state: ${state.reason}`)];
      default:
        return assertNever(state);
    }
  });
}

function assertNever(value: never): never {
  throw new Error(`unexpected local migration state ${JSON.stringify(value)}`);
}

/** `READ_DB` → `read-db`: a database name in the style `wrangler d1 create` expects. */
function databaseNameFor(binding: string): string {
  return binding.toLowerCase().replace(/_/g, "-");
}

/** The D1 settings wrangler knows; anything else in the file stays out of a printed fix. */
const D1_SETTINGS = ["database_name", "database_id", "preview_database_id", "migrations_table", "migrations_dir"];

/** A D1 binding as written in the file: `binding` first, then its known settings in the file's order. */
function databaseEntry(database: D1DatabaseConfig): Record<string, string | number> {
  const entry: Record<string, string | number> = { binding: database.binding };
  for (const [key, value] of Object.entries(database)) {
    if (D1_SETTINGS.includes(key) && (typeof value === "string" || typeof value === "number")) entry[key] = value;
  }
  return entry;
}
