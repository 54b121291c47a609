import { testClient } from "edge-cqrs/testing";
import { describe, expect, it } from "vitest";
import { fixtureWorker } from "../../fixture/support/worker";
import { API_TOKEN } from "../../../support/http";

// edge-cqrs/testing's client, as a user's integration test drives it: real commands through the
// Worker, real queues and projections, and queries that read the client's own writes.
describe("testClient", () => {
  it("reads its own writes through the real outbox, queue and projection", async () => {
    const api = testClient((request) => fixtureWorker.fetch(request), { token: API_TOKEN });
    const opened = await api.command("account", "tc-1", "open", { owner: "c-tc" });
    expect(opened).toMatchObject({ ok: true, status: 200, body: { streamId: "account/tc-1", version: 1 } });
    await api.command("account", "tc-1", "deposit", { amount: 1150 });
    expect(await api.query("/accounts/tc-1")).toMatchObject({ status: 200, body: { id: "tc-1", balance: 1150, version: 2 } });
  });

  it("gives refusals as status and error body, and replays as replayed", async () => {
    const api = testClient((request) => fixtureWorker.fetch(request), { token: API_TOKEN });
    expect(await api.command("account", "tc-2", "withdraw", { amount: 1 })).toMatchObject({ ok: false, status: 422, body: { error: "rejected" } });
    const first = await api.command("account", "tc-3", "open", { owner: "c" }, { "Idempotency-Key": "tc-3-k" });
    const again = await api.command("account", "tc-3", "open", { owner: "c" }, { "Idempotency-Key": "tc-3-k" });
    expect(first).toMatchObject({ ok: true, replayed: false });
    expect(again).toMatchObject({ ok: true, replayed: true });
  });
});
