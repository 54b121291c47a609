import { fixtureEnv as env } from "../../fixture/support/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_EVENTS_PER_TRANSACTION } from "../../../../src/runtime/projector";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { BALANCES } from "../../fixture/support";
import { deliver } from "../../fixture/support/delivery";
import { rows } from "../../../support/read-model";

// A projection that is far behind on a stream (a new projection, a stream that was parked) catches
// up in transactions of bounded size, each moving the checkpoint; a failure keeps what came before.
const STREAM = "account/long";
const EVENTS = 250;
const POISONED_VERSION = 150;

describe("catching up a long stream", () => {
  const captured = new CapturedEvents();

  beforeAll(async () => {
    await captured.install(STREAM);
    await runCommand("account/long/open", { owner: "c-long" });
    for (let v = 2; v <= EVENTS; v++) await runCommand("account/long/deposit", { amount: 1 });
    // A write that fails in the middle of the second transaction, as a broken view change would.
    await env.READ_DB.prepare(
      `CREATE TRIGGER poison BEFORE UPDATE ON fixture_balances WHEN NEW.version = ${POISONED_VERSION} BEGIN SELECT RAISE(ABORT, 'poisoned view'); END`,
    ).run();
  });

  afterAll(async () => {
    await env.READ_DB.prepare("DROP TRIGGER IF EXISTS poison").run();
  });

  it("keeps the transactions before a failure and retries the message", async () => {
    expect(MAX_EVENTS_PER_TRANSACTION).toBeLessThan(POISONED_VERSION);
    const last = captured.streamSentTo(BALANCES, STREAM).at(-1)!;
    expect(last.version).toBe(EVENTS);
    // Only the newest message arrives: versions 1..249 are read from the aggregate.
    const { retried, ids } = await deliver(BALANCES, [last]);
    expect(retried).toEqual(ids);
    const [checkpoint] = await rows<{ version: number }>("SELECT version FROM projection_checkpoints WHERE projection = 'balances' AND stream_id = ?", STREAM);
    expect(checkpoint?.version).toBe(MAX_EVENTS_PER_TRANSACTION);
    const [view] = await rows<{ version: number; balance: number }>("SELECT version, balance FROM fixture_balances WHERE id = 'long'");
    // One cent per event after the opening.
    expect(view).toEqual({ version: MAX_EVENTS_PER_TRANSACTION, balance: MAX_EVENTS_PER_TRANSACTION - 1 });
  });

  it("resumes from the kept checkpoint once the failure is gone, applying each event once", async () => {
    await env.READ_DB.prepare("DROP TRIGGER poison").run();
    const last = captured.streamSentTo(BALANCES, STREAM).at(-1)!;
    const { acked, ids } = await deliver(BALANCES, [last], 2);
    expect(acked).toEqual(ids);
    const [checkpoint] = await rows<{ version: number }>("SELECT version FROM projection_checkpoints WHERE projection = 'balances' AND stream_id = ?", STREAM);
    expect(checkpoint?.version).toBe(EVENTS);
    const [view] = await rows<{ version: number; balance: number }>("SELECT version, balance FROM fixture_balances WHERE id = 'long'");
    expect(view).toEqual({ version: EVENTS, balance: EVENTS - 1 });
  });
});
