import { describe, expect, it } from "vitest";
import { openAccount } from "../../fixture/support";
import { adminGet, command, json, readStream } from "../../../support/http";

// GET /streams and the event envelope; the command response shape.

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe("command response", () => {
  it("is {streamId, version, events, token} with the token also in X-Consistency-Token", async () => {
    const response = await command("account", "resp-1", "open", openAccount());
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(Object.keys(body).sort()).toEqual(["events", "streamId", "token", "version"]);
    expect(body).toEqual({
      streamId: "account/resp-1",
      version: 1,
      events: [{ eventId: expect.stringMatching(UUID_V7), type: "AccountOpened", version: 1 }],
      token: expect.stringMatching(/^[A-Za-z0-9_.~-]+$/),
    });
    expect(response.headers.get("X-Consistency-Token")).toBe(body.token);

    const next = await json(await command("account", "resp-1", "deposit", { amount: 300 }));
    expect(next).toMatchObject({ streamId: "account/resp-1", version: 2, events: [{ type: "Deposited", version: 2 }] });
    expect(next.token).not.toBe(body.token);
    const { body: stream } = await readStream("account", "resp-1");
    expect(stream.events.map((e: { eventId: string }) => e.eventId)).toEqual([body.events[0].eventId, next.events[0].eventId]);
  });
});

describe("the event envelope on GET /streams", () => {
  it("carries every field of the envelope, with time-ordered UUIDv7 ids and the actor", async () => {
    await command("account", "env-1", "open", openAccount(), { "Idempotency-Key": "env-1-place" });
    for (let i = 0; i < 5; i++) await command("account", "env-1", "deposit", { amount: 100 + i });
    const { status, body } = await readStream("account", "env-1");
    expect(status).toBe(200);
    expect(body).toMatchObject({ streamId: "account/env-1", version: 6 });
    expect(body.events).toHaveLength(6);
    expect(body.events[0]).toEqual({
      eventId: expect.stringMatching(UUID_V7),
      streamId: "account/env-1",
      aggregate: "account",
      aggregateId: "env-1",
      version: 1,
      type: "AccountOpened",
      schemaVersion: 1,
      data: { owner: "c-1", labels: [], openedAt: expect.stringMatching(ISO_INSTANT) },
      metadata: {
        commandId: "env-1-place",
        correlationId: "env-1-place",
        causationId: "env-1-place",
        actor: "api",
        recordedAt: expect.stringMatching(ISO_INSTANT),
        traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
      },
    });
    expect(body.events[0].data.openedAt).toBe(body.events[0].metadata.recordedAt);
    const ids = body.events.map((e: { eventId: string }) => e.eventId);
    expect(new Set(ids).size).toBe(6);
    expect([...ids].sort()).toEqual(ids);
    expect(body.events.map((e: { version: number }) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("carries X-Correlation-Id into metadata.correlationId; without it correlationId is the command id", async () => {
    await command("account", "env-2", "open", openAccount(), { "X-Correlation-Id": "checkout-42", "Idempotency-Key": "env-2-place" });
    await command("account", "env-2", "deposit", { amount: 300 });
    const { body } = await readStream("account", "env-2");
    expect(body.events[0].metadata).toMatchObject({ commandId: "env-2-place", correlationId: "checkout-42", causationId: "env-2-place" });
    const second = body.events[1].metadata;
    expect(second.commandId).toMatch(UUID_V7);
    expect(second.correlationId).toBe(second.commandId);
    expect(second.causationId).toBe(second.commandId);
  });

  it("stamps recordedAt with the time the command ran", async () => {
    const before = Date.now();
    await command("account", "env-3", "open", openAccount());
    const { body } = await readStream("account", "env-3");
    const recordedAt = Date.parse(body.events[0].metadata.recordedAt);
    expect(recordedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(recordedAt).toBeLessThanOrEqual(Date.now() + 1000);
  });
});

describe("paging and asOf", () => {
  async function streamOf(id: string, length: number): Promise<void> {
    await command("account", id, "open", openAccount());
    for (let v = 2; v <= length; v++) await command("account", id, "deposit", { amount: 1 });
  }
  const versions = (body: { events: { version: number }[] }) => body.events.map((e) => e.version);

  it("from and limit page through the stream; version is always the stream's", async () => {
    await streamOf("page-1", 12);
    const first = await readStream("account", "page-1", { limit: 5 });
    expect({ version: first.body.version, versions: versions(first.body) }).toEqual({ version: 12, versions: [1, 2, 3, 4, 5] });
    const second = await readStream("account", "page-1", { from: 6, limit: 5 });
    expect(versions(second.body)).toEqual([6, 7, 8, 9, 10]);
    const last = await readStream("account", "page-1", { from: 11, limit: 5 });
    expect(versions(last.body)).toEqual([11, 12]);
    const beyond = await readStream("account", "page-1", { from: 13 });
    expect(beyond).toEqual({ status: 200, body: { streamId: "account/page-1", version: 12, events: [] } });
    expect(versions((await readStream("account", "page-1")).body)).toHaveLength(12);
    expect((await readStream("account", "page-1", { limit: 1000 })).status).toBe(200);
  });

  it.each([
    [{ limit: 1001 }],
    [{ limit: 0 }],
    [{ from: 0 }],
    [{ from: "abc" }],
    [{ asOf: 0 }],
  ])("refuses %o with 400 invalid_query", async (query) => {
    await streamOf("page-2", 1);
    const { status, body } = await readStream("account", "page-2", query);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: "invalid_query", message: expect.any(String), issues: expect.any(Array) });
  });

  it("asOf=N adds the state folded to N; without it there is no state", async () => {
    await streamOf("asof-1", 5);
    await command("account", "asof-1", "withdraw", { amount: 4 });
    await command("account", "asof-1", "close", {});
    expect((await readStream("account", "asof-1")).body).not.toHaveProperty("state");
    const at = async (asOf: number) => (await readStream("account", "asof-1", { asOf, limit: 1 })).body.state;
    expect(await at(1)).toEqual({ version: 1, value: { status: "open", owner: "c-1", balance: 0, deposits: 0 } });
    expect(await at(3)).toEqual({ version: 3, value: { status: "open", owner: "c-1", balance: 2, deposits: 2 } });
    expect(await at(7)).toEqual({ version: 7, value: { status: "closed", owner: "c-1", balance: 0, deposits: 4 } });
    // Beyond the end is the current state, labelled with the version it really is.
    expect(await at(99)).toEqual(await at(7));
  });

  it("is admin-only JSON with the stream id in aggregate/id form", async () => {
    await streamOf("page-3", 1);
    const response = await adminGet("/streams/account/page-3");
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect((await json(response)).streamId).toBe("account/page-3");
  });
});
