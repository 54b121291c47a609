import { describe, expect, it, vi } from "vitest";
import { CATALOG_HEAD_DELAY_MS } from "../../../../src/runtime/outbox";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents, runOutboxAlarms } from "../../../support/captured-events";
import { adminGet, json } from "../../../support/http";
import { rows } from "../../../support/read-model";
import { BALANCES, openAccount } from "../../fixture/support";
import { deliver, deliverInOrder } from "../../fixture/support/delivery";

const STREAM_CATALOG = "stream-catalog";
const STREAMS = ["account/lag-1", "account/lag-2", "account/lag-3"];

interface Status {
  name: string;
  lag: { events: number; streams: number; oldestMs: number };
}

async function lagOf(name: string): Promise<Status["lag"]> {
  const { projections } = await json<{ projections: Status[] }>(await adminGet("/admin/projections"));
  return projections.find((p) => p.name === name)!.lag;
}

// Lag is counted in events: the catalog's head of every stream minus the subscriber's checkpoint.
describe("lag in events", () => {
  it("rises during a burst and returns to 0 once the burst is applied", async () => {
    const captured = new CapturedEvents();
    await captured.install(...STREAMS);
    for (const stream of STREAMS) await runCommand(`${stream}/open`, openAccount("c-lag"));
    await runCommand("account/lag-1/deposit", { amount: 300 });

    // The catalog hears of a stream's first head with its command, of later heads from the
    // outbox's alarm (within seconds); the projector's messages are still on their way.
    expect(captured.sentTo(STREAM_CATALOG).map((e) => [e.streamId, e.version])).toEqual(STREAMS.map((s) => [s, 1]));
    await runOutboxAlarms(...STREAMS);
    const heads = captured.sentTo(STREAM_CATALOG);
    expect(heads.map((e) => [e.streamId, e.version])).toEqual([...STREAMS.map((s) => [s, 1]), ["account/lag-1", 2]]);
    await deliver(STREAM_CATALOG, heads);
    // Every stream is in the catalog with its head, though no projector has consumed anything.
    expect(await rows("SELECT stream_id, version FROM stream_heads ORDER BY stream_id")).toEqual([
      { stream_id: "account/lag-1", version: 2 },
      { stream_id: "account/lag-2", version: 1 },
      { stream_id: "account/lag-3", version: 1 },
    ]);
    expect(await rows("SELECT stream_id FROM stream_catalog ORDER BY stream_id")).toEqual(STREAMS.map((stream_id) => ({ stream_id })));
    // Heads redelivered out of order never move a head back.
    await deliver(STREAM_CATALOG, [...heads].reverse());
    const during = await lagOf("balances");
    expect(during).toMatchObject({ events: 4, streams: 3 });
    expect(during.oldestMs).toBeGreaterThanOrEqual(0);

    await deliverInOrder(BALANCES, captured.sentTo(BALANCES));
    expect(await lagOf("balances")).toEqual({ events: 0, streams: 0, oldestMs: 0 });
    // The catalog holds these streams for the statement too, which has applied nothing yet.
    expect(await lagOf("statement")).toMatchObject({ events: 4, streams: 3 });
  });

  it("reads above zero within a second or two of a burst the view has not applied, with no alarm run by hand", async () => {
    const stream = "account/lag-burst";
    const captured = new CapturedEvents();
    await captured.install(stream);
    await runCommand(`${stream}/open`, openAccount("c-lag"));
    await deliver(STREAM_CATALOG, captured.sentTo(STREAM_CATALOG));
    await deliverInOrder(BALANCES, captured.sentTo(BALANCES));
    expect(await lagOf("balances")).toMatchObject({ events: 0 });

    for (const amount of [10, 20, 30]) await runCommand(`${stream}/deposit`, { amount });
    // The burst's head reaches the catalog from the object's own alarm, within CATALOG_HEAD_DELAY_MS
    // of the burst's first command (the outbox's 5 s safety delay showed lag 0 until then).
    await vi.waitFor(() => expect(captured.sentTo(STREAM_CATALOG).map((e) => e.version)).toContain(4), { timeout: CATALOG_HEAD_DELAY_MS + 1_500, interval: 50 });
    await deliver(STREAM_CATALOG, captured.sentTo(STREAM_CATALOG));
    expect(await lagOf("balances")).toMatchObject({ events: 3, streams: 1 });
  });
});

