import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { WranglerDev } from "../../../scripts/wrangler-dev.mjs";
import { ADMIN_TOKEN, API_TOKEN, startFixtureDev } from "./fixture-dev";

// A restart of the whole local system (workerd, Durable Objects, D1, queues) over the same state,
// on the runtime's fixture application: the stream, its command log and the read model come back
// as they were, and work goes on from there, through the process manager too.
const API = { Authorization: `Bearer ${API_TOKEN}`, "Content-Type": "application/json" };
const ADMIN = { Authorization: `Bearer ${ADMIN_TOKEN}` };
/** The process manager deposits a payment asynchronously (queue → command); locally it takes milliseconds. */
const CREDITED_WITHIN_MS = 10_000;
const POLL_MS = 50;
const state = mkdtempSync(join(tmpdir(), "edge-cqrs-fixture-restart-"));
let dev: WranglerDev | undefined;

afterAll(async () => {
  await dev?.stop();
  rmSync(state, { recursive: true, force: true });
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${dev!.url}${path}`, { method: "POST", headers: { ...API, ...headers }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

async function get(path: string, headers: Record<string, string> = API) {
  const response = await fetch(`${dev!.url}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe("restarting wrangler dev over the same state", () => {
  let openedBody: Record<string, any>;
  let streamBefore: Record<string, any>;

  it("writes an account and reads it back before the restart", async () => {
    dev = await startFixtureDev({ persistTo: state });
    const opened = await post("/commands/account/r-1/open", { owner: "c-r" }, { "Idempotency-Key": "r-1-open" });
    expect(opened.status).toBe(200);
    openedBody = opened.body;
    const deposited = await post("/commands/account/r-1/deposit", { amount: 2050 });
    expect((await get(`/accounts/r-1?consistentWith=${deposited.body.token}`)).body).toMatchObject({ version: 2, balance: 2050 });
    streamBefore = (await get("/streams/account/r-1", ADMIN)).body;
    await dev.stop();
    dev = undefined;
  });

  it("comes back with the same stream, view and command log, and carries on", async () => {
    dev = await startFixtureDev({ persistTo: state });
    expect((await get("/streams/account/r-1", ADMIN)).body).toEqual(streamBefore);
    expect((await get("/accounts/r-1")).body).toMatchObject({ status: "open", version: 2, balance: 2050 });

    // The command log survived: the first command's key replays its first answer.
    const replayed = await post("/commands/account/r-1/open", { owner: "c-r" }, { "Idempotency-Key": "r-1-open" });
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replayed.body).toEqual(openedBody);

    const withdrawn = await post("/commands/account/r-1/withdraw", { amount: 50 }, { "If-Match": '"2"' });
    expect(withdrawn.body).toMatchObject({ version: 3 });
    expect((await get(`/accounts/r-1?consistentWith=${withdrawn.body.token}`)).body).toMatchObject({ balance: 2000, version: 3 });
  });

  it("runs the process manager's queue after the restart: a payment is deposited into its account", async () => {
    expect((await post("/commands/payment/rp-1/send", { accountId: "r-1", amount: 500 })).status).toBe(200);
    const deadline = Date.now() + CREDITED_WITHIN_MS;
    let view = await get("/accounts/r-1");
    while (view.body.balance !== 2500 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      view = await get("/accounts/r-1");
    }
    expect(view.body).toMatchObject({ balance: 2500, version: 4 });
  });
});
