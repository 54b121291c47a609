import { DEFAULT_MIGRATIONS_DIR, requirementsOf, type Manifest } from "../../runtime/manifest/index.js";
import type { D1DatabaseConfig, LocalMigrationState, ProjectConfig } from "../project/index.js";
import { error, type Problem } from "./problem.js";

/** The D1 bindings the application's projections, process managers and publishers write to, each with a migrations_dir. */
export function checkD1Bindings(config: ProjectConfig, manifest: Manifest): Problem[] {
  const problems: Problem[] = [];
  for (const required of requirementsOf(manifest, "d1-database")) {
    const database = config.d1_databases.find((d) => d.binding === required.name);
    const { section, entry } = required.block;
    if (!database) {
      problems.push(
        error("d1-binding-missing", `D1 binding ${required.name} is missing: ${required.users.map((u) => u.name).join(", ")} keep their views and checkpoints in it`, {
          kind: "add",
          section,
          entry,
          ...(required.note === undefined ? {} : { note: required.note }),
        }),
      );
    } else if (database.migrations_dir === undefined) {
      problems.push(
        error(
          "d1-migrations-dir-missing",
          `D1 binding ${required.name} has no migrations_dir: say where its migrations live, so \`edge-cqrs migrate\` and \`wrangler d1 migrations apply\` find them`,
          { kind: "replace", section, entry: { ...databaseEntry(database), migrations_dir: DEFAULT_MIGRATIONS_DIR } },
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
