import { createRuntime } from "edge-cqrs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { application } from "../../fixture/application";
import { BALANCES } from "../../fixture/support";
import { fixtureEnv as env } from "../../fixture/support/worker";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { deliverBatch } from "../../../support/deliver-batch";
import { LogLines } from "../../../support/log-lines";

// `logs.sampleRate` thins the runtime's info lines, never its warnings, errors or metrics. A
// runtime built here consumes the fixture's queue with the real D1 (the command lines are the
// aggregate objects', which the fixture Worker hosts: the unit tests cover those).

const logs = new LogLines();
beforeEach(() => logs.install());
afterEach(() => logs.restore());

describe("a runtime that samples its log lines", () => {
  const captured = new CapturedEvents();
  const silent = createRuntime(application, { logs: { sampleRate: 0 } });

  it("writes no info line for a batch applied, and applies it", async () => {
    await captured.install("account/ls-1");
    await runCommand("account/ls-1/open", { owner: "c-ls" });
    const { acked, ids } = await deliverBatch(silent, env, BALANCES, captured.streamSentTo(BALANCES, "account/ls-1"));
    expect(acked).toEqual(ids);
    expect(logs.of("projector.batch", (l) => l.subscriber === "balances")).toEqual([]);
    const row = await env.READ_DB.prepare("SELECT version FROM fixture_balances WHERE id = 'ls-1'").first();
    expect(row).toEqual({ version: 1 });
  });

  it("still writes the warning of a batch with a failing stream", async () => {
    await captured.install("account/ls-2");
    await runCommand("account/ls-2/open", { owner: "c-ls" });
    await env.READ_DB.prepare("INSERT INTO fixture_balances (id, owner, status, balance, version) VALUES ('ls-2', 'stray', 'open', 0, 0)").run();
    const { retried, ids } = await deliverBatch(silent, env, BALANCES, captured.streamSentTo(BALANCES, "account/ls-2"));
    expect(retried).toEqual(ids);
    expect(logs.of("projector.batch", (l) => l.subscriber === "balances")).toEqual([expect.objectContaining({ level: "warn", failed: ["account/ls-2"] })]);
    expect(logs.of("projector.stream-failed")).toHaveLength(1);
  });

  it("refuses a rate outside 0 to 1 when the Worker loads", () => {
    expect(() => createRuntime(application, { logs: { sampleRate: 2 } })).toThrow(/options\.logs is invalid/);
  });
});
