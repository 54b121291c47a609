import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../../../scripts/wrangler-dev.mjs";
import { stopProcessGroup } from "../../support/process-group";

// `npm start -- --persist-to X` as a user types it: the migrations must land in X, where the
// dev server then reads, or every query answers 500 "no such table".
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const API = { Authorization: "Bearer dev-api-token", "Content-Type": "application/json" };
const READY_TIMEOUT_MS = 90_000;

let stateDir: string;
let registryDir: string;
let server: ChildProcess | undefined;
let url: string;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "edge-cqrs-start-state-"));
  // A private dev registry, so another session's wrangler dev never reloads this one.
  registryDir = mkdtempSync(join(tmpdir(), "edge-cqrs-start-registry-"));
  const port = await freePort();
  const inspector = await freePort();
  url = `http://127.0.0.1:${port}`;
  const args = ["--persist-to", stateDir, "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector)];
  args.push("--log-level", "warn", "--show-interactive-dev-session=false");
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", WRANGLER_REGISTRY_PATH: registryDir };
  // Its own process group: stopping it reaches npx, wrangler and every workerd they forked.
  server = spawn(process.execPath, [join(ROOT, "scripts", "start.mjs"), ...args], { cwd: ROOT, env, stdio: "ignore", detached: true });
  await waitUntilHealthy();
}, READY_TIMEOUT_MS + 30_000);

afterAll(() => {
  stopProcessGroup(server);
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(registryDir, { recursive: true, force: true });
});

it("applies the migrations to the --persist-to directory it serves from, so queries answer from it", async () => {
  expect(existsSync(join(stateDir, "v3", "d1"))).toBe(true);

  const missing = await fetch(`${url}/orders/never-placed`, { headers: API });
  expect(missing.status).toBe(404);
  expect(await missing.json()).toMatchObject({ error: "not_found" });

  const placed = await fetch(`${url}/commands/order/start-1/place`, {
    method: "POST",
    headers: API,
    body: JSON.stringify({ customerId: "c-start", items: [{ sku: "tea", quantity: 1, unitPrice: 450 }] }),
  });
  expect(placed.status).toBe(200);
  const { token } = (await placed.json()) as { token: string };
  const view = await fetch(`${url}/orders/start-1?consistentWith=${token}`, { headers: API });
  expect(view.status).toBe(200);
  expect(await view.json()).toMatchObject({ id: "start-1", status: "placed", total: 450 });
});

async function waitUntilHealthy(): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null && server?.exitCode !== undefined) throw new Error(`npm start exited with ${server.exitCode}`);
    const status = await fetch(`${url}/health`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`npm start did not answer GET /health within ${READY_TIMEOUT_MS} ms`);
}
