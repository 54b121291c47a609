import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../scripts/wrangler-dev.mjs";

// What a new user does, outside this repository: pack edge-cqrs, scaffold a project with the
// packed CLI, install the tarball into it, run its tests, start it and use it over HTTP.
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
/** npm install of a fresh project is the slow part: it may fetch from the registry. */
const INSTALL_TIMEOUT_MS = 8 * 60_000;
const PROJECT_TEST_TIMEOUT_MS = 5 * 60_000;
const START_TIMEOUT_MS = 90_000;
const CHILD_ENV = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", npm_config_fund: "false", npm_config_audit: "false" };

const work = mkdtempSync(join(tmpdir(), "edge-cqrs-package-"));
const project = join(work, "library-loans");
let tarball = "";
let server: ChildProcess | undefined;

/** Runs a command to completion; a failure carries the tail of its output, which says why. */
function run(command: string, args: string[], cwd: string, timeout: number): string {
  try {
    return execFileSync(command, args, { cwd, env: CHILD_ENV, timeout, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`);
  }
}

beforeAll(() => {
  // `npm test` packs once (scripts/pack.mjs, for publint and attw too) and names the tarball here;
  // run on its own, the test packs the current source itself the same way.
  const packed = process.env.EDGE_CQRS_TARBALL || run("node", ["scripts/pack.mjs"], ROOT, INSTALL_TIMEOUT_MS).trim().split("\n").at(-1)!;
  tarball = join(work, basename(packed));
  copyFileSync(packed, tarball);
}, INSTALL_TIMEOUT_MS);

afterAll(() => {
  if (server?.pid) process.kill(-server.pid, "SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

describe("a new project built on the packed edge-cqrs", () => {
  it("packs the runtime, its CLI and templates, and nothing of the example or the tests", () => {
    const listing = run("tar", ["-tzf", tarball], work, 60_000).split("\n").filter(Boolean);
    expect(listing).toContain("package/dist/runtime/index.js");
    expect(listing).toContain("package/dist/runtime/index.d.ts");
    expect(listing).toContain("package/dist/runtime/testing.js");
    expect(listing).toContain("package/dist/cli/edge-cqrs.js");
    expect(listing).toContain("package/templates/basic/package.json");
    expect(listing.filter((f) => /^package\/(src|test|bench|schema)\//.test(f) || f.includes("/app/order"))).toEqual([]);
  });

  it("scaffolds a project with `edge-cqrs init` from the tarball", () => {
    run("npm", ["init", "-y"], work, 60_000);
    run("npm", ["install", "--prefer-offline", "--no-save", tarball], work, INSTALL_TIMEOUT_MS);
    run(join(work, "node_modules", ".bin", "edge-cqrs"), ["init", project, "--edge-cqrs", `file:${tarball}`], work, 60_000);
    expect(readdirSync(project)).toEqual(expect.arrayContaining(["package.json", "wrangler.toml", "src", "test", "migrations", "README.md", ".gitignore", ".dev.vars"]));
    expect(JSON.parse(readFileSync(join(project, "package.json"), "utf8")).dependencies["edge-cqrs"]).toBe(`file:${tarball}`);
  }, INSTALL_TIMEOUT_MS);

  it("installs, and its own npm test passes (decider, integration and edge-cqrs check)", () => {
    run("npm", ["install", "--prefer-offline"], project, INSTALL_TIMEOUT_MS);
    const output = run("npm", ["test"], project, PROJECT_TEST_TIMEOUT_MS);
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(existsSync(join(project, "node_modules", "edge-cqrs", "src"))).toBe(false);
  }, INSTALL_TIMEOUT_MS + PROJECT_TEST_TIMEOUT_MS);

  it("serves it with npm start: a command answers with a token, a query with it sees the write", async () => {
    const port = await freePort();
    server = spawn("npm", ["start", "--", "--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(await freePort())], {
      cwd: project,
      env: CHILD_ENV,
      stdio: "ignore",
      detached: true,
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url);
    const api = { Authorization: "Bearer dev-api-token", "Content-Type": "application/json" };
    const borrowed = await fetch(`${url}/commands/loan/l-1/borrow`, {
      method: "POST",
      headers: api,
      body: JSON.stringify({ bookId: "b-1", memberId: "m-1", dueOn: "2026-02-01" }),
    });
    expect(borrowed.status).toBe(200);
    const { token } = (await borrowed.json()) as { token: string };
    const view = await fetch(`${url}/loans/l-1?consistentWith=${token}&wait=10000`, { headers: api });
    expect(view.status).toBe(200);
    expect(await view.json()).toMatchObject({ id: "l-1", bookId: "b-1", status: "borrowed", version: 1 });
  }, START_TIMEOUT_MS + 30_000);

  it("has edge-cqrs check catch a projection whose queue wrangler.toml forgot, and pass once its blocks are added", () => {
    mkdirSync(join(project, "src", "app", "member-loans"));
    writeFileSync(join(project, "src", "app", "member-loans", "projection.ts"), MEMBER_LOANS);
    const index = join(project, "src", "app", "index.ts");
    writeFileSync(
      index,
      readFileSync(index, "utf8")
        .replace('import { loanDetails } from "./loan-details/projection";', 'import { loanDetails } from "./loan-details/projection";\nimport { memberLoans } from "./member-loans/projection";')
        .replace("projections: [loanDetails],", "projections: [loanDetails, memberLoans],"),
    );
    const forgotten = check();
    expect(forgotten.code).toBe(1);
    expect(forgotten.output).toContain("MEMBER_LOANS_QUEUE");
    // The fixes check printed, pasted as they are.
    const blocks = [...forgotten.output.matchAll(/^ *\[\[queues\.(?:producers|consumers)\]\]\n(?: +[a-z_]+ = .+\n?)+/gm)].map((m) =>
      m[0].trimEnd().replace(/^ +/gm, ""),
    );
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    appendFileSync(join(project, "wrangler.toml"), `\n${blocks.join("\n\n")}\n`);
    expect(check()).toMatchObject({ code: 0 });
  }, 300_000);
});

const MEMBER_LOANS = `import { defineProjection } from "edge-cqrs";
import { loan } from "../loan/loan";

export const memberLoans = defineProjection({
  name: "member-loans",
  queue: { name: "member-loans", binding: "MEMBER_LOANS_QUEUE", deadLetterQueue: "member-loans-dlq" },
  from: [loan],
  handlers: {},
});
`;

/** Runs the CLI in the project and returns its exit code and output, whatever the code. */
function check(): { code: number; output: string } {
  try {
    return { code: 0, output: run(join(project, "node_modules", ".bin", "edge-cqrs"), ["check"], project, 120_000) };
  } catch (error) {
    return { code: 1, output: (error as Error).message };
  }
}

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`npm start did not answer GET /health within ${START_TIMEOUT_MS} ms`);
}
