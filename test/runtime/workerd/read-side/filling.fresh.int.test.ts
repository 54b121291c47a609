import { describe, expect, it } from "vitest";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { adminGet, json } from "../../../support/http";
import { balances } from "../../fixture/application";
import { BALANCES, openAccount } from "../../fixture/support";
import { deliver, deliverInOrder } from "../../fixture/support/delivery";
import { fixtureEnv } from "../../fixture/support/worker";

const STREAM_CATALOG = "stream-catalog";

interface Status {
  name: string;
  version: number | null;
  condition: string;
  filling: { streams: number; total: number } | null;
  rebuild: { state: string };
  failingStreams: { streamId: string }[];
}

async function statusOf(name: string): Promise<Status> {
  const { projections } = await json<{ projections: Status[] }>(await adminGet("/admin/projections"));
  return projections.find((p) => p.name === name)!;
}

// A brand-new project: every stream is new, and the projections' live events fill their views.
// Storage is empty (a *.fresh file), so the catalog holds only this file's streams.
describe("a new projection in a new project", () => {
  it("reads as filling with its progress, then live at its declared version once its live events reached every stream, with no cron run", async () => {
    const captured = new CapturedEvents();
    await captured.install("account/fill-1", "account/fill-2");
    await runCommand("account/fill-1/open", openAccount("c-fill"));
    await runCommand("account/fill-2/open", openAccount("c-fill"));
    await runCommand("account/fill-2/deposit", { amount: 5 });
    await deliver(STREAM_CATALOG, captured.sentTo(STREAM_CATALOG));

    expect(await statusOf("balances")).toMatchObject({ version: 0, condition: "filling", filling: { streams: 0, total: 2 }, rebuild: { state: "idle" } });

    await deliverInOrder(BALANCES, captured.streamSentTo(BALANCES, "account/fill-1"));
    // Its first batch recorded it as never built: the catalog knew streams it had not applied.
    expect(await statusOf("balances")).toMatchObject({ version: 0, condition: "filling", filling: { streams: 1, total: 2 } });

    await deliverInOrder(BALANCES, captured.streamSentTo(BALANCES, "account/fill-2"));
    expect(await statusOf("balances")).toMatchObject({ version: balances.version, condition: "live", filling: null, rebuild: { state: "idle" } });
    expect(balances.version).toBeGreaterThan(0);
  });

  it("reads as failing, ahead of filling or live, while one of its streams fails", async () => {
    // The statement has consumed nothing here: it is filling, over the catalog's two streams.
    expect(await statusOf("statement")).toMatchObject({ version: 0, condition: "filling", filling: { streams: 0, total: 2 } });

    const captured = new CapturedEvents();
    await captured.install("account/fill-3");
    await runCommand("account/fill-3/open", openAccount("c-fill"));
    // A row in the way of the stream's first insert: the batch fails on it and is retried.
    await fixtureEnv.READ_DB.prepare("INSERT INTO fixture_balances (id, owner, status, balance, version) VALUES ('fill-3', 'stray', 'open', 0, 0)").run();
    const { retried } = await deliver(BALANCES, captured.streamSentTo(BALANCES, "account/fill-3"));
    expect(retried).toHaveLength(1);
    expect(await statusOf("balances")).toMatchObject({ condition: "failing", failingStreams: [expect.objectContaining({ streamId: "account/fill-3" })] });
  });
});
