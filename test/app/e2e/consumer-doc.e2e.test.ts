import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../../../scripts/wrangler-dev.mjs";
import { initProject } from "../../../src/cli/init/index.js";
import { docBlock, shellCommands } from "../../support/markdown-blocks.js";
import { stopProcessGroup } from "../../support/process-group";

// docs/integration-events.md, "A consumer in another Worker": its shell block run as written on
// the example (whose publisher sends the order events to `integration-events`), with only this
// swapped: the state directory and the consumer's folder are fresh temporary ones (so a
// developer's own .wrangler/state and working tree are left alone), the dev server is put on free
// ports, and `npx edge-cqrs init` runs this repository's CLI code (no package is installed here).
// A doc that stops working fails here.
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const DOC_STATE = ".wrangler/state";
const DOC_CONSUMER = "integration-consumer/";
const API = { Authorization: "Bearer dev-api-token", "Content-Type": "application/json" };
const READY_TIMEOUT_MS = 90_000;
const MIRRORED_WITHIN_MS = 30_000;

/** A command's words, double-quoted strings kept whole, with the documented folders swapped. */
function words(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => (m[1] ?? m[2]!).replaceAll(DOC_STATE, stateDir).replaceAll(DOC_CONSUMER, `${consumerParent}/${DOC_CONSUMER}`));
}

const CHILD_ENV = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };

let stateDir: string;
let registryDir: string;
let consumerParent: string;
let commands: string[];
let dev: ChildProcess | undefined;
let url: string;

beforeAll(async () => {
  commands = shellCommands(docBlock(ROOT, "docs/integration-events.md", "npx edge-cqrs init integration-consumer --template integration-consumer"));
  stateDir = mkdtempSync(join(tmpdir(), "edge-cqrs-consumer-doc-"));
  registryDir = mkdtempSync(join(tmpdir(), "edge-cqrs-consumer-registry-"));
  consumerParent = mkdtempSync(join(tmpdir(), "edge-cqrs-consumer-project-"));

  const init = /^npx edge-cqrs init (\S+) --template (\S+)$/.exec(commands[0]!);
  if (init === null) throw new Error(`the block starts with ${commands[0]}, not npx edge-cqrs init <dir> --template <name>`);
  initProject({ directory: join(consumerParent, init[1]!), edgeCqrs: "^0.0.0", templatesRoot: join(ROOT, "templates"), template: init[2] });

  for (const command of commands.filter((c) => c.includes("migrations apply"))) {
    const [npx, ...args] = words(command);
    const result = spawnSync(npx!, args, { cwd: ROOT, env: CHILD_ENV, encoding: "utf8" });
    expect(result.status, `${command}\n${result.stdout}${result.stderr}`).toBe(0);
  }
  const devCommand = commands.find((c) => c.includes("wrangler dev"));
  if (devCommand === undefined) throw new Error("the block starts no wrangler dev");
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const [npx, ...args] = words(devCommand);
  args.push("--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(await freePort()), "--show-interactive-dev-session=false");
  // A private dev registry, so another session's wrangler dev never reloads this one; its own process group to stop it whole.
  dev = spawn(npx!, args, { cwd: ROOT, env: { ...CHILD_ENV, WRANGLER_REGISTRY_PATH: registryDir }, stdio: "ignore", detached: true });
  await waitUntil(async () => (await fetch(`${url}/health`).catch(() => undefined))?.status === 200, READY_TIMEOUT_MS, "wrangler dev to answer /health");
}, READY_TIMEOUT_MS + 60_000);

afterAll(() => {
  stopProcessGroup(dev);
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(registryDir, { recursive: true, force: true });
  rmSync(consumerParent, { recursive: true, force: true });
});

it("records a placed and shipped order in the consumer's database, read back with the doc's query", async () => {
  const post = (path: string, body: unknown = {}) => fetch(`${url}${path}`, { method: "POST", headers: API, body: JSON.stringify(body) }).then((r) => r.status);
  expect(await post("/commands/order/doc-1/place", { customerId: "c-doc", items: [{ sku: "tea", quantity: 2, unitPrice: 450 }] })).toBe(200);
  expect(await post("/commands/delivery/doc-d1/schedule", { orderId: "doc-1", address: "1 Doc St" })).toBe(200);
  expect(await post("/commands/delivery/doc-d1/pick-up")).toBe(200);

  const query = commands.find((c) => c.includes("d1 execute"));
  if (query === undefined) throw new Error("the block has no query");
  const [npx, ...args] = words(query);
  let rows: { subject: string; last_type: string; last_time: string }[] = [];
  await waitUntil(
    async () => {
      const result = spawnSync(npx!, [...args, "--json"], { cwd: ROOT, env: CHILD_ENV, encoding: "utf8" });
      if (result.status !== 0) throw new Error(`${query}\n${result.stdout}${result.stderr}`);
      rows = (JSON.parse(result.stdout) as { results: typeof rows }[])[0]!.results;
      return rows.some((r) => r.subject === "doc-1" && r.last_type === "com.example.order.shipped");
    },
    MIRRORED_WITHIN_MS,
    "the consumer to record the shipped order",
  );
  expect(rows).toContainEqual(expect.objectContaining({ subject: "doc-1", last_type: "com.example.order.shipped" }));
});

async function waitUntil(done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}
