import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../../../scripts/wrangler-dev.mjs";

// docs/integration-events.md, "A consumer in another Worker": its shell block run as written,
// with only the state directory swapped for a fresh one (so a developer's own .wrangler/state is
// left alone) and the dev server put on free ports. A doc that stops working fails here.
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const DOC = join(ROOT, "docs", "integration-events.md");
const DOC_STATE = ".wrangler/state";
const API = { Authorization: "Bearer dev-api-token", "Content-Type": "application/json" };
const READY_TIMEOUT_MS = 90_000;
const MIRRORED_WITHIN_MS = 30_000;

/** The section's one shell block, as commands: comments dropped, continuation lines joined. */
function docCommands(): string[] {
  const text = readFileSync(DOC, "utf8");
  const section = text.slice(text.indexOf("## A consumer in another Worker"));
  const block = section.match(/```sh\n([\s\S]*?)```/)?.[1];
  if (block === undefined) throw new Error("no shell block in the section");
  return block
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** A command's words, double-quoted strings kept whole, with the documented state directory swapped. */
function words(command: string, stateDir: string): string[] {
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => (m[1] ?? m[2]!).replaceAll(DOC_STATE, stateDir));
}

const CHILD_ENV = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };

let stateDir: string;
let registryDir: string;
let commands: string[];
let dev: ChildProcess | undefined;
let url: string;

beforeAll(async () => {
  commands = docCommands();
  stateDir = mkdtempSync(join(tmpdir(), "edge-cqrs-consumer-doc-"));
  registryDir = mkdtempSync(join(tmpdir(), "edge-cqrs-consumer-registry-"));
  for (const command of commands.filter((c) => c.includes("migrations apply"))) {
    const [npx, ...args] = words(command, stateDir);
    const result = spawnSync(npx!, args, { cwd: ROOT, env: CHILD_ENV, encoding: "utf8" });
    expect(result.status, `${command}\n${result.stdout}${result.stderr}`).toBe(0);
  }
  const devCommand = commands.find((c) => c.includes("wrangler dev"));
  if (devCommand === undefined) throw new Error("the block starts no wrangler dev");
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const [npx, ...args] = words(devCommand, stateDir);
  args.push("--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(await freePort()), "--show-interactive-dev-session=false");
  // A private dev registry, so another session's wrangler dev never reloads this one; its own process group to stop it whole.
  dev = spawn(npx!, args, { cwd: ROOT, env: { ...CHILD_ENV, WRANGLER_REGISTRY_PATH: registryDir }, stdio: "ignore", detached: true });
  await waitUntil(async () => (await fetch(`${url}/health`).catch(() => undefined))?.status === 200, READY_TIMEOUT_MS, "wrangler dev to answer /health");
}, READY_TIMEOUT_MS + 60_000);

afterAll(() => {
  if (dev?.pid !== undefined) {
    try {
      process.kill(-dev.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(registryDir, { recursive: true, force: true });
});

it("mirrors a placed and shipped order into the consumer's database, read back with the doc's query", async () => {
  const post = (path: string, body: unknown = {}) => fetch(`${url}${path}`, { method: "POST", headers: API, body: JSON.stringify(body) }).then((r) => r.status);
  expect(await post("/commands/order/doc-1/place", { customerId: "c-doc", items: [{ sku: "tea", quantity: 2, unitPrice: 450 }] })).toBe(200);
  expect(await post("/commands/delivery/doc-d1/schedule", { orderId: "doc-1", address: "1 Doc St" })).toBe(200);
  expect(await post("/commands/delivery/doc-d1/pick-up")).toBe(200);

  const query = commands.find((c) => c.includes("d1 execute"));
  if (query === undefined) throw new Error("the block has no query");
  const [npx, ...args] = words(query, stateDir);
  let rows: { order_id: string; status: string; total_cents: number }[] = [];
  await waitUntil(
    async () => {
      const result = spawnSync(npx!, [...args, "--json"], { cwd: ROOT, env: CHILD_ENV, encoding: "utf8" });
      if (result.status !== 0) throw new Error(`${query}\n${result.stdout}${result.stderr}`);
      rows = (JSON.parse(result.stdout) as { results: typeof rows }[])[0]!.results;
      return rows.some((r) => r.order_id === "doc-1" && r.status === "shipped");
    },
    MIRRORED_WITHIN_MS,
    "the consumer to mirror the shipped order",
  );
  expect(rows).toContainEqual(expect.objectContaining({ order_id: "doc-1", status: "shipped", total_cents: 900 }));
});

async function waitUntil(done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}
