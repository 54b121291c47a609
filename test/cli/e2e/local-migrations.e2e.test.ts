import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkProject } from "../../../src/cli/check/index.js";
import { main } from "../../../src/cli/main.js";
import { manifestOf } from "../../../src/runtime/manifest/index.js";
import { loadApplication, readLocalMigrationState, readProjectConfig, runWrangler, type ReadProjectConfig } from "../../../src/cli/project/index.js";
import { CONFIGS, configFixture, FIXTURE_APP } from "../support.js";

// A project on disk with its own local state: one migration applied by wrangler, one added after.
let project: string;
let config: ReadProjectConfig;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "edge-cqrs-migrations-"));
  cpSync(configFixture("valid"), join(project, "wrangler.toml"));
  cpSync(join(CONFIGS, "migrations"), join(project, "migrations"), { recursive: true });
  config = await readProjectConfig({ cwd: project }, { hideWarnings: true });
  const applied = await runWrangler(["d1", "migrations", "apply", "READ_DB", "--local"], { cwd: project });
  expect(applied.status, applied.stderr).toBe(0);
  writeFileSync(join(project, "migrations", "0002_create_overdue_loans.sql"), "CREATE TABLE overdue_loans (loan_id TEXT PRIMARY KEY);\n");
}, 120_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

const READ_DB = () => config.d1_databases.find((d) => d.binding === "READ_DB")!;

describe("local D1 migrations", () => {
  it("reports a migration file the local database has not applied", async () => {
    const state = await readLocalMigrationState(READ_DB(), { configPath: config.userConfigPath, cwd: project });
    expect(state).toEqual({ binding: "READ_DB", status: "pending", unapplied: ["0002_create_overdue_loans.sql"] });

    const problems = checkProject({
      config,
      manifest: manifestOf(await loadApplication(FIXTURE_APP)),
      localSecrets: ["API_TOKEN", "ADMIN_TOKEN"],
      localMigrations: [state],
    });
    expect(problems).toMatchObject([{ code: "d1-migrations-not-applied", severity: "error", fix: { kind: "run", command: "npx edge-cqrs migrate" } }]);
  }, 60_000);

  it("reports a migrations_dir that does not exist", async () => {
    const state = await readLocalMigrationState({ ...READ_DB(), migrations_dir: "no-such-dir" }, { configPath: config.userConfigPath, cwd: project });
    expect(state).toEqual({ binding: "READ_DB", status: "no-directory", directory: "no-such-dir" });
  });

  it("edge-cqrs migrate applies it, after which check finds the local state up to date", async () => {
    const lines: string[] = [];
    const context = { cwd: project, out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    expect(await main(["migrate"], context)).toBe(0);
    expect(lines.at(-1)).toBe("local D1 databases are up to date");

    const state = await readLocalMigrationState(READ_DB(), { configPath: config.userConfigPath, cwd: project });
    expect(state).toEqual({ binding: "READ_DB", status: "applied" });
  }, 60_000);
});
