import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, FIXTURES, repoTempDir } from "./support.js";

// The CLI as a user runs it: `node edge-cqrs.mjs …` in a child process, judged by exit code and output.
let outDir: string;
let cli: string;

beforeAll(async () => {
  outDir = repoTempDir("cli-");
  cli = await buildCli(outDir);
}, 30_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function run(args: string[], cwd = FIXTURES) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the edge-cqrs command", () => {
  it("lists its commands with --help", () => {
    const { status, stdout } = run(["--help"]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^ {2}check {2}/m);
    expect(stdout).toMatch(/^ {2}migrate/m);
    expect(stdout).toMatch(/^ {2}reset/m);
  });

  it("shows a command's own help", () => {
    expect(run(["check", "--help"])).toMatchObject({ status: 0, stdout: expect.stringContaining("Usage: edge-cqrs check") });
    expect(run(["help", "reset"])).toMatchObject({ status: 0, stdout: expect.stringContaining("Usage: edge-cqrs reset") });
  });

  it("exits 2 on an unknown command or option", () => {
    expect(run(["frobnicate"])).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown command "frobnicate"') });
    expect(run(["check", "--bogus"])).toMatchObject({ status: 2, stderr: expect.stringContaining("--bogus") });
    expect(run([])).toMatchObject({ status: 2, stderr: expect.stringContaining("Usage: edge-cqrs <command>") });
  });
});

describe("edge-cqrs check as a process", () => {
  it("exits 1 on a forgotten queue and prints the blocks to add", () => {
    const { status, stdout } = run(["check", "--config", "configs/forgotten-queue.toml", "--app", "app.ts"]);
    expect(status).toBe(1);
    expect(stdout).toContain(
      "error [queue-producer-missing] queue producer LOANS_BY_MEMBER_QUEUE is missing",
    );
    expect(stdout).toContain(["      [[queues.producers]]", '      binding = "LOANS_BY_MEMBER_QUEUE"', '      queue = "loans-by-member"'].join("\n"));
    expect(stdout).toContain("3 errors: configs/forgotten-queue.toml does not provide everything the application needs yet");
  }, 30_000);

  it("exits 0 when the configuration serves the application", () => {
    const { status, stdout } = run(["check", "-c", "configs/valid.toml", "--app", "app.ts"]);
    expect(status).toBe(0);
    expect(stdout).toContain("ok: configs/valid.toml provides everything the application needs (0 errors)");
  }, 30_000);

  it("exits 2 when there is no configuration to check", () => {
    const empty = mkdtempSync(join(tmpdir(), "edge-cqrs-empty-"));
    try {
      expect(run(["check", "--config", "nowhere.toml"], empty)).toMatchObject({ status: 2, stderr: expect.stringContaining("does not exist") });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("edge-cqrs reset as a process", () => {
  it("says what it would delete without --yes, deletes with it, and never deletes the project", () => {
    const project = mkdtempSync(join(tmpdir(), "edge-cqrs-reset-"));
    try {
      writeFileSync(join(project, "wrangler.toml"), 'name = "x"\n');
      const state = join(project, ".wrangler", "state");
      mkdirSync(join(state, "v3", "d1"), { recursive: true });
      writeFileSync(join(state, "v3", "d1", "db.sqlite"), "");

      expect(run(["reset"], project)).toMatchObject({ status: 1, stdout: expect.stringContaining("would delete .wrangler/state (1 file)") });
      expect(existsSync(state)).toBe(true);
      expect(run(["reset", "--persist-to", "."], project)).toMatchObject({ status: 2, stderr: expect.stringContaining("refusing to delete") });
      expect(run(["reset", "--yes"], project)).toMatchObject({ status: 0, stdout: expect.stringContaining("deleted .wrangler/state") });
      expect(existsSync(state)).toBe(false);
      expect(existsSync(join(project, "wrangler.toml"))).toBe(true);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
