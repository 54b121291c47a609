import { existsSync, readdirSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import type { D1DatabaseConfig } from "./project-config.js";
import { runWrangler } from "./wrangler-process.js";

/** What the local state says about one D1 binding's migrations. */
export type LocalMigrationState =
  | { readonly binding: string; readonly status: "applied" }
  | { readonly binding: string; readonly status: "pending"; readonly unapplied: readonly string[] }
  | { readonly binding: string; readonly status: "no-directory"; readonly directory: string }
  | { readonly binding: string; readonly status: "unknown"; readonly reason: string };

/** How many lines of wrangler's output explain a failed run: its error is at the end. */
const FAILURE_TAIL_LINES = 6;

/**
 * Asks wrangler which of a binding's migration files the local database has not applied
 * (`wrangler d1 migrations list <binding> --local`). wrangler is the one that applies them, so it
 * knows its bookkeeping table (`migrations_table`), how a binding maps to a local database file,
 * and where `--persist-to` puts it; reading miniflare's files directly would depend on its
 * private layout and need a SQLite driver Node 20 does not have.
 */
export async function readLocalMigrationState(
  database: D1DatabaseConfig,
  { configPath, env, persistTo, cwd }: { configPath: string; env?: string | undefined; persistTo?: string | undefined; cwd: string },
): Promise<LocalMigrationState> {
  const binding = database.binding;
  const directory = migrationsDirOf(database, configPath);
  if (!existsSync(directory)) return { binding, status: "no-directory", directory: relative(cwd, directory) || "." };
  const files = migrationFiles(directory);
  if (files.length === 0) return { binding, status: "applied" };

  const args = ["d1", "migrations", "list", binding, "--local", "--config", configPath];
  if (env !== undefined) args.push("--env", env);
  if (persistTo !== undefined) args.push("--persist-to", persistTo);
  const result = await runWrangler(args, { cwd });
  if (result.status !== 0) return { binding, status: "unknown", reason: tail(`${result.stdout}\n${result.stderr}`) };
  return unappliedFromListing(binding, result.stdout, files);
}

/** The binding's migrations directory: its `migrations_dir`, or wrangler's default, beside the configuration. */
export function migrationsDirOf(database: D1DatabaseConfig, configPath: string): string {
  return resolve(dirname(configPath), database.migrations_dir ?? "migrations");
}

/** The `.sql` files wrangler would apply, in its order. */
export function migrationFiles(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith(".sql"))
    .sort();
}

/**
 * Reads `wrangler d1 migrations list` output without depending on its table's drawing: every
 * migration file named in the output is unapplied, and wrangler says "No migrations to apply"
 * when there is none. Output that says neither is reported, not guessed at.
 */
export function unappliedFromListing(binding: string, output: string, files: readonly string[]): LocalMigrationState {
  const named = new Set(output.match(/[^\s│┃|]+\.sql/g) ?? []);
  const unapplied = files.filter((file) => named.has(file));
  if (unapplied.length > 0) return { binding, status: "pending", unapplied };
  if (/no migrations to apply/i.test(output)) return { binding, status: "applied" };
  return { binding, status: "unknown", reason: `unexpected output from wrangler d1 migrations list: ${tail(output)}` };
}

function tail(output: string): string {
  return output.trim().split("\n").slice(-FAILURE_TAIL_LINES).join("\n").trim();
}
