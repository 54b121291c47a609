import { createExecutionContext } from "cloudflare:test";
import { createRuntime, type Runtime } from "edge-cqrs";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeConsistencyToken, MAX_CONCURRENT_WAITERS } from "../../../../src/runtime/consistency";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { deliverBatch } from "../../../support/deliver-batch";
import { API_TOKEN } from "../../../support/http";
import { watchD1 } from "../../../support/watched-d1";
import { application } from "../../fixture/application";
import type { FixtureEnv } from "../../fixture/env";
import { BALANCES } from "../../fixture/support";
import { fixtureEnv } from "../../fixture/support/worker";

// Two runtimes built in one isolate (one Worker serving an application twice, under two base paths
// or two authentications) remember nothing for each other: what one's projections committed, and
// how many of its requests wait, is its own. Each learns of the other's work from D1, as a runtime
// in another isolate would.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET a query through `runtime`, counting the checkpoint reads of its wait. */
function query(runtime: Runtime<FixtureEnv>, path: string): { response: Promise<Response>; checkpointReads: () => number } {
  let reads = 0;
  const READ_DB = watchD1(fixtureEnv.READ_DB, (call) => void (call.statements.some((s) => s.sql.includes("projection_checkpoints")) && reads++));
  const request = new Request(`https://edge-cqrs.test${path}`, { headers: { Authorization: `Bearer ${API_TOKEN}` } });
  return { response: runtime.fetch(request, { ...fixtureEnv, READ_DB }, createExecutionContext()), checkpointReads: () => reads };
}

describe("two runtimes in one isolate", () => {
  const captured = new CapturedEvents();
  const first = createRuntime<FixtureEnv>(application);
  const second = createRuntime<FixtureEnv>(application);

  beforeAll(async () => {
    await captured.install("account/tr-1");
  });

  it("do not share the checkpoints their projections committed", async () => {
    const { token } = await runCommand("account/tr-1/open", { owner: "c-tr" });
    const { acked, ids } = await deliverBatch(first, fixtureEnv, BALANCES, captured.streamSentTo(BALANCES, "account/tr-1"));
    expect(acked).toEqual(ids);

    // The runtime whose projection applied the write answers from what it committed.
    const fromFirst = query(first, `/accounts/tr-1?consistentWith=${token}&wait=2000`);
    expect((await fromFirst.response).status).toBe(200);
    expect(fromFirst.checkpointReads()).toBe(0);

    // The other was told of no commit: it reads the checkpoint from D1, which has it.
    const fromSecond = query(second, `/accounts/tr-1?consistentWith=${token}&wait=2000`);
    const answered = await fromSecond.response;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ id: "tr-1", owner: "c-tr", version: 1 });
    expect(fromSecond.checkpointReads()).toBe(1);
  });

  it("do not share their waiter slots", async () => {
    const unreachable = (i: number) => encodeConsistencyToken([{ streamId: `account/tr-busy-${i}`, version: 1 }]);
    const busy = Array.from({ length: MAX_CONCURRENT_WAITERS }, (_, i) => query(first, `/accounts/tr-1?consistentWith=${unreachable(i)}&wait=2000`));
    // A waiter holds its slot once it polls a second time.
    while (busy.some((w) => w.checkpointReads() < 2)) await sleep(5);

    const refused = await query(first, `/accounts/tr-1?consistentWith=${unreachable(-1)}&wait=2000`).response;
    expect(refused.status).toBe(503);
    // The other runtime's requests still wait, in slots of their own.
    const waited = query(second, `/accounts/tr-1?consistentWith=${unreachable(-2)}&wait=300`);
    expect((await waited.response).status).toBe(412);
    expect(waited.checkpointReads()).toBeGreaterThan(1);
    expect((await Promise.all(busy.map((w) => w.response))).map((r) => r.status)).toEqual(busy.map(() => 412));
  });
});
