import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildCli, FIXTURES, repoTempDir } from "../support.js";
import { freePort } from "../../../scripts/wrangler-dev.mjs";
import { stopProcessGroup } from "../../support/process-group";

// The issue's scenario: a migration added while `npm start` runs is not applied. `edge-cqrs
// migrate` in a second terminal applies it to the state the running `wrangler dev` uses, and the
// running Worker sees the new table at once, without a restart.
const WRANGLER = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin", "wrangler.js");
const CHILD_ENV = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
const READY_TIMEOUT_MS = 60_000;

let project: string;
let cliDir: string;
let cli: string;
let dev: ChildProcess | undefined;
let url: string;

function edgeCqrs(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: project, env: CHILD_ENV, encoding: "utf8" });
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "edge-cqrs-migrate-dev-"));
  cpSync(join(FIXTURES, "sql-worker"), project, { recursive: true });
  cliDir = repoTempDir("cli-e2e-");
  cli = await buildCli(cliDir);
  expect(edgeCqrs(["migrate"]).status).toBe(0);

  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const inspector = await freePort();
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--show-interactive-dev-session=false"];
  // Its own process group, so stopping it reaches every workerd it forked.
  dev = spawn(process.execPath, [WRANGLER, ...args], { cwd: project, env: CHILD_ENV, stdio: "ignore", detached: true });
  await waitUntilServing(`${url}/rows?table=loans`);
}, READY_TIMEOUT_MS + 60_000);

afterAll(() => {
  stopProcessGroup(dev);
  rmSync(project, { recursive: true, force: true });
  rmSync(cliDir, { recursive: true, force: true });
});

it("edge-cqrs migrate applies a migration added while wrangler dev runs, and the running Worker uses it", async () => {
  writeFileSync(join(project, "migrations", "0002_create_members.sql"), "CREATE TABLE members (member_id TEXT PRIMARY KEY);\nINSERT INTO members VALUES ('m-1');\n");
  const before = await get(`${url}/rows?table=members`);
  expect(before.status).toBe(500);
  expect(await before.text()).toContain("no such table: members");

  const migrate = edgeCqrs(["migrate"]);
  expect(migrate.status, migrate.stderr).toBe(0);

  const after = await get(`${url}/rows?table=members`);
  expect(after.status).toBe(200);
  expect(await after.json()).toEqual([{ member_id: "m-1" }]);
});

/**
 * One GET, tried again once if the connection drops: a keep-alive connection left idle while
 * migrate ran may be closed by wrangler's proxy just as it is reused, which says nothing about the Worker.
 */
async function get(target: string): Promise<Response> {
  return fetch(target).catch(() => fetch(target));
}

async function waitUntilServing(target: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const status = await fetch(target).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not serve ${target} within ${READY_TIMEOUT_MS} ms`);
}
