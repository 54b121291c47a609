import { createExecutionContext } from "cloudflare:test";
import { createRuntime, type Authentication } from "edge-cqrs";
import { describe, expect, it } from "vitest";
import { AggregateClient } from "../../../../src/runtime/aggregate-client";
import type { EventEnvelope } from "../../../../src/runtime/envelope";
import { runCommand } from "../../../support/api-client";
import { ADMIN_TOKEN, API_TOKEN, call, json, storedRows } from "../../../support/http";
import { application } from "../../fixture/application";
import { TRANSFER_STEPS } from "../../fixture/domain/account";
import type { FixtureEnv } from "../../fixture/env";
import { fixtureEnv as env } from "../../fixture/support/worker";
import { eventually } from "../../../support/eventually";

// Internal commands (the fixture's transfer steps on account, and transfer's complete and fail):
// no client reaches them, whatever token it holds; the transfers process manager does.

const post = (path: string, headers: Record<string, string>, body: unknown = { transferId: "ic-t", amount: 1_000 }) =>
  call(path, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });

async function accountEvents(id: string): Promise<EventEnvelope[]> {
  const page = await AggregateClient.fromEnv(env).readStream({ aggregate: "account", id, from: 1, limit: 100 });
  return [...(page?.events ?? [])];
}


describe("an internal command over HTTP", () => {
  it("is refused with 403 internal_command to the API token, and stores nothing", async () => {
    await runCommand("account/ic-1/open", { owner: "ic" });
    for (const step of TRANSFER_STEPS) {
      const response = await post(`/commands/account/ic-1/${step}`, { Authorization: `Bearer ${API_TOKEN}` });
      expect(response.status).toBe(403);
      expect(await json(response)).toEqual({ error: "internal_command", message: `account.${step} is an internal command: only the application's process managers send it, never a client` });
    }
    const settle = await post("/commands/transfer/ic-t/complete", { Authorization: `Bearer ${API_TOKEN}` }, {});
    expect(settle.status).toBe(403);
    expect(await storedRows("account", "ic-1")).toMatchObject({ events: 1, commands: 1 });
    expect(await storedRows("transfer", "ic-t")).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it("is refused to the admin token and to no token as every command is (401), and to a forged runtime actor", async () => {
    for (const headers of [{ Authorization: `Bearer ${ADMIN_TOKEN}` }, {}] as Record<string, string>[]) {
      const response = await post("/commands/account/ic-1/credit-for-transfer", headers);
      expect(response.status).toBe(401);
      expect((await json(response)).error).toBe("unauthorized");
    }
    // An authentication that hands out an actor in the runtime's own namespace still cannot call it.
    const forging: Authentication<FixtureEnv> = { api: () => ({ id: "edge-cqrs:process-manager:transfers" }), admin: () => ({ id: "admin" }) };
    const runtime = createRuntime(application, { auth: forging });
    const request = new Request("https://runtime.test/commands/account/ic-1/credit-for-transfer", { method: "POST", body: JSON.stringify({ transferId: "ic-t", amount: 1 }) });
    const forged = await runtime.fetch(request, env, createExecutionContext());
    expect(forged.status).toBe(403);
    expect((await json(forged)).error).toBe("internal_command");
    expect((await accountEvents("ic-1")).map((e) => e.type)).toEqual(["AccountOpened"]);
  });

  it("is refused by the aggregate itself to a caller outside the runtime, whichever way the request reached it", async () => {
    const aggregates = AggregateClient.fromEnv(env);
    const request = { aggregate: "account", id: "ic-1", command: "credit-for-transfer", payload: { transferId: "ic-t", amount: 5 }, commandId: "ic-direct-1" };
    const outcome = await aggregates.execute({ ...request, actor: { id: "api" } });
    expect(outcome).toMatchObject({ ok: false, status: 403, body: { error: "internal_command" } });
    const fromRuntime = await aggregates.execute({ ...request, commandId: "ic-direct-2", actor: { id: "edge-cqrs:process-manager:transfers" } });
    expect(fromRuntime).toMatchObject({ ok: true, body: { events: [{ type: "TransferCredited" }] } });
  });

  it("is sent by the process manager, as its actor", async () => {
    await runCommand("account/ic-from/open", { owner: "ic" });
    await runCommand("account/ic-from/deposit", { amount: 300 });
    await runCommand("account/ic-to/open", { owner: "ic" });
    await runCommand("transfer/ic-t2/request", { from: "ic-from", to: "ic-to", amount: 120 });
    const credited = await eventually(() => accountEvents("ic-to"), (events) => events.length === 2, "the credit");
    expect(credited[1]).toMatchObject({ type: "TransferCredited", data: { transferId: "ic-t2", amount: 120 }, metadata: { actor: "edge-cqrs:process-manager:transfers" } });
    expect((await accountEvents("ic-from")).map((e) => e.type)).toEqual(["AccountOpened", "Deposited", "TransferDebited"]);
  });
});

describe("the OpenAPI document", () => {
  it("has no route for an internal command, and keeps the public ones", async () => {
    const doc = await json(await call("/openapi.json"));
    const paths = Object.keys(doc.paths);
    for (const step of TRANSFER_STEPS) expect(paths).not.toContain(`/commands/account/{id}/${step}`);
    expect(paths).not.toContain("/commands/transfer/{id}/complete");
    expect(paths).not.toContain("/commands/transfer/{id}/fail");
    expect(paths).toEqual(expect.arrayContaining(["/commands/account/{id}/open", "/commands/account/{id}/deposit", "/commands/transfer/{id}/request"]));
  });
});
