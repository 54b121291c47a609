import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { fixtureEnv as env } from "../../fixture/support/worker";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { OUTBOX_MAX_ATTEMPTS, type QueueSender } from "../../../../src/runtime/outbox";
import { runCommand } from "../../../support/api-client";
import { aggregateStub, CapturedEvents, useQueueSender } from "../../../support/captured-events";
import { adminGet, json } from "../../../support/http";
import { BALANCES, openAccount, STATEMENT } from "../../fixture/support";

// An event one queue can never take (its queue was deleted, an upcaster made it too large) is
// parked after OUTBOX_MAX_ATTEMPTS failed sends: recorded in the object and in the subscriber's
// D1 where GET /admin/projections shows it, and the events after it flow again.

describe("outbox parking", () => {
  // The dispatcher logs every failed send and the parking; they are the point of the test.
  beforeEach(() => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.spyOn(console, "error").mockImplementation(() => {});
    return () => vi.restoreAllMocks();
  });

  it("parks the one event a queue refuses, keeps sending the rest, and shows it in /admin/projections", async () => {
    const stream = "account/park-1";
    const captured = new CapturedEvents();
    let refused = 0;
    const refusesVersion2: QueueSender = async (route, envelopes) => {
      if (route.queue === STATEMENT && envelopes.some((e) => e.version === 2)) {
        refused++;
        throw new Error("message too large (test)");
      }
      await captured.sender(route, envelopes);
    };
    await useQueueSender(stream, refusesVersion2);
    await runCommand("account/park-1/open", { owner: "pc" });
    await runCommand("account/park-1/deposit", { amount: 6 });
    await runCommand("account/park-1/deposit", { amount: 7 });

    const stub = aggregateStub(stream);
    const cursor = () => runInDurableObject(stub, (instance) => instance.store.outbox.cursor(STATEMENT));
    // Each alarm is one more attempt; the backoff's own alarms may add some in between.
    for (let alarms = 0; alarms < 2 * OUTBOX_MAX_ATTEMPTS && (await cursor()) < 3; alarms++) await runDurableObjectAlarm(stub);

    expect(await cursor()).toBe(3);
    expect(refused).toBeGreaterThanOrEqual(OUTBOX_MAX_ATTEMPTS);
    expect(captured.streamSentTo(STATEMENT, stream).map((e) => e.version)).toEqual([1, 3]);
    expect(new Set(captured.streamSentTo(BALANCES, stream).map((e) => e.version))).toEqual(new Set([1, 2, 3]));
    const parkedInObject = await runInDurableObject(stub, (instance) => instance.store.outbox.parked(STATEMENT));
    expect(parkedInObject).toMatchObject([{ queue: STATEMENT, version: 2, attempts: OUTBOX_MAX_ATTEMPTS, error: expect.stringContaining("too large") }]);
    expect(await runInDurableObject(stub, (instance) => instance.store.outbox.parked(BALANCES))).toEqual([]);

    // Recorded in the subscriber's D1 (the report may still be in flight: the alarm retries it).
    const parkedRows = () => env.READ_DB.prepare("SELECT queue, stream_id, version, type FROM outbox_parked WHERE stream_id = ?").bind(stream).all();
    for (let alarms = 0; alarms < 5 && (await parkedRows()).results.length === 0; alarms++) await runDurableObjectAlarm(stub);
    expect((await parkedRows()).results).toEqual([{ queue: STATEMENT, stream_id: stream, version: 2, type: "Deposited" }]);

    const status = await json<{ projections: { name: string; queue: string; outboxParked: number }[] }>(await adminGet("/admin/projections"));
    expect(status.projections.find((p) => p.queue === STATEMENT)).toMatchObject({ outboxParked: 1 });
    expect(status.projections.find((p) => p.queue === BALANCES)).toMatchObject({ outboxParked: 0 });

    // The queue is healthy again for everything after it.
    await runCommand("account/park-1/deposit", { amount: 8 });
    await runInDurableObject(stub, async (instance) => {
      for (let i = 0; i < 5 && instance.store.outbox.cursor(STATEMENT) < 4; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    });
    expect(captured.streamSentTo(STATEMENT, stream).map((e) => e.version)).toEqual([1, 3, 4]);
  });
});

describe("outbox send timeout", () => {
  beforeEach(() => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    return () => vi.restoreAllMocks();
  });

  it("gives up on a send that never answers, counts it as a failed attempt and retries from the alarm", async () => {
    const stream = "account/timeout-1";
    let hanging = true;
    const captured = new CapturedEvents();
    const hangsThenWorks: QueueSender = (route, envelopes) => (hanging ? new Promise<void>(() => {}) : captured.sender(route, envelopes));
    // A 50 ms timeout stands in for the production 15 s, so the test does not wait for it.
    await useQueueSender(stream, hangsThenWorks, 50);
    await runCommand("account/timeout-1/open", openAccount("tc"));

    const stub = aggregateStub(stream);
    await vi.waitFor(
      async () => expect(await runInDurableObject(stub, (instance) => instance.store.outbox.attempts(BALANCES))).toBeGreaterThanOrEqual(1),
      { timeout: 5_000 },
    );
    expect(await runInDurableObject(stub, (instance) => instance.store.outbox.cursor(BALANCES))).toBe(0);

    hanging = false;
    await runDurableObjectAlarm(stub);
    await vi.waitFor(async () => expect(await runInDurableObject(stub, (instance) => instance.store.outbox.cursor(BALANCES))).toBe(1), { timeout: 5_000 });
    expect(captured.streamSentTo(BALANCES, stream).map((e) => e.version)).toEqual([1]);
  });
});
