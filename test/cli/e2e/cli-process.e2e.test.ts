import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, FIXTURES, repoTempDir } from "../support.js";

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

  it("refuses, with exit 2, a --persist-to that is not wrangler's local state, and leaves it in place", () => {
    const project = mkdtempSync(join(tmpdir(), "edge-cqrs-reset-"));
    try {
      writeFileSync(join(project, "wrangler.toml"), 'name = "x"\n');
      mkdirSync(join(project, "src"));
      writeFileSync(join(project, "src", "index.ts"), "export default {};\n");
      mkdirSync(join(project, ".git", "objects"), { recursive: true });
      writeFileSync(join(project, ".git", "HEAD"), "ref: refs/heads/main\n");
      // Looks like state at first sight (a v3 folder) but holds something else beside it.
      mkdirSync(join(project, "mixed", "v3"), { recursive: true });
      writeFileSync(join(project, "mixed", "notes.txt"), "keep me\n");

      for (const dir of ["src", ".git", "mixed"]) {
        const result = run(["reset", "--yes", "--persist-to", dir], project);
        expect(result).toMatchObject({ status: 2, stderr: expect.stringContaining("not wrangler's local state") });
        expect(result.stdout).not.toContain("deleted");
      }
      expect(readFileSync(join(project, "src", "index.ts"), "utf8")).toBe("export default {};\n");
      expect(existsSync(join(project, ".git", "HEAD"))).toBe(true);
      expect(existsSync(join(project, "mixed", "notes.txt"))).toBe(true);

      mkdirSync(join(project, "custom-state", "v3", "do"), { recursive: true });
      writeFileSync(join(project, "custom-state", "v3", "do", "object.sqlite"), "");
      expect(run(["reset", "--yes", "--persist-to", "custom-state"], project)).toMatchObject({ status: 0, stdout: expect.stringContaining("deleted custom-state") });
      expect(existsSync(join(project, "custom-state"))).toBe(false);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

describe("edge-cqrs init as a process", () => {
  it("answers a file in the way with exit 2 and one line, not a stack trace", () => {
    const work = mkdtempSync(join(tmpdir(), "edge-cqrs-init-"));
    try {
      writeFileSync(join(work, "taken"), "a file\n");
      for (const target of ["taken", join("taken", "app")]) {
        const result = run(["init", target], work);
        expect(result.status).toBe(2);
        expect(result.stderr.trim().split("\n")).toHaveLength(1);
        expect(result.stderr).toContain("is a file, not a directory");
        expect(result.stderr).not.toMatch(/ENOTDIR|\n\s+at /);
      }
      expect(readFileSync(join(work, "taken"), "utf8")).toBe("a file\n");
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("refuses a dependency spec with a quote and writes nothing; writes any accepted spec as JSON", () => {
    const work = mkdtempSync(join(tmpdir(), "edge-cqrs-init-"));
    try {
      const injected = 'x", "scripts": {"postinstall": "curl evil"}, "y": "';
      const refused = run(["init", "app", "--edge-cqrs", injected], work);
      expect(refused).toMatchObject({ status: 2, stderr: expect.stringContaining("is not a dependency spec") });
      expect(existsSync(join(work, "app"))).toBe(false);

      const range = ">=0.2.0 <1.0.0";
      expect(run(["init", "app", "--edge-cqrs", range], work).status).toBe(0);
      const manifest = JSON.parse(readFileSync(join(work, "app", "package.json"), "utf8")) as {
        name: string;
        dependencies: Record<string, string>;
        scripts: Record<string, string>;
      };
      expect(manifest.name).toBe("app");
      expect(manifest.dependencies["edge-cqrs"]).toBe(range);
      expect(manifest.scripts).not.toHaveProperty("postinstall");
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
