import { createExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { API_TOKEN } from "../../../support/http";
import { watchD1 } from "../../../support/watched-d1";
import { BALANCES } from "../../fixture/support";
import { deliver } from "../../fixture/support/delivery";
import { fixtureEnv } from "../../fixture/support/worker";
import worker from "../../fixture/worker";

// A consistency wait learns of checkpoints its own isolate's projections committed without reading
// them from D1 (always so under `wrangler dev`, where one isolate serves both). D1 stays the
// authority for everything else, and only a committed batch is ever announced.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET a query through the Worker, counting the checkpoint reads its wait makes. */
function query(path: string): { response: Promise<Response>; checkpointReads: () => number } {
  let reads = 0;
  const READ_DB = watchD1(fixtureEnv.READ_DB, (call) => void (call.statements.some((s) => s.sql.includes("projection_checkpoints")) && reads++));
  const request = new Request(`https://edge-cqrs.test${path}`, { headers: { Authorization: `Bearer ${API_TOKEN}` } });
  return { response: Promise.resolve(worker.fetch(request, { ...fixtureEnv, READ_DB }, createExecutionContext())), checkpointReads: () => reads };
}

describe("consistency waits in the isolate that applied the write", () => {
  const captured = new CapturedEvents();

  beforeAll(async () => {
    await captured.install("account/si-1", "account/si-2", "account/si-3", "account/si-4");
  });

  it("answer from the checkpoints this isolate committed, without reading them", async () => {
    const { token } = await runCommand("account/si-1/open", { owner: "c-si" });
    const { acked, ids } = await deliver(BALANCES, captured.streamSentTo(BALANCES, "account/si-1"));
    expect(acked).toEqual(ids);

    const { response, checkpointReads } = query(`/accounts/si-1?consistentWith=${token}&wait=2000`);
    const answered = await response;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ id: "si-1", owner: "c-si", version: 1 });
    expect(checkpointReads()).toBe(0);
  });

  it("answer a waiter that started before the batch once the batch commits, with the applied view", async () => {
    const { token } = await runCommand("account/si-2/open", { owner: "c-si" });
    const waiting = query(`/accounts/si-2?consistentWith=${token}&wait=10000`);
    while (waiting.checkpointReads() < 1) await sleep(2);

    const { acked, ids } = await deliver(BALANCES, captured.streamSentTo(BALANCES, "account/si-2"));
    expect(acked).toEqual(ids);
    const answered = await waiting.response;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ id: "si-2", version: 1 });
  });

  it("still read D1 for what another isolate committed", async () => {
    const { token } = await runCommand("account/si-3/open", { owner: "c-si" });
    // What a consumer running elsewhere leaves behind: the view row and its checkpoint.
    await fixtureEnv.READ_DB.batch([
      fixtureEnv.READ_DB.prepare("INSERT INTO fixture_balances (id, owner, status, balance, version) VALUES ('si-3', 'c-si', 'open', 0, 1)"),
      fixtureEnv.READ_DB.prepare("INSERT INTO projection_checkpoints (projection, stream_id, version) VALUES ('balances', 'account/si-3', 1)"),
    ]);

    const { response, checkpointReads } = query(`/accounts/si-3?consistentWith=${token}&wait=2000`);
    expect((await response).status).toBe(200);
    expect(checkpointReads()).toBe(1);
  });

  it("are never told of a batch that failed", async () => {
    const { token } = await runCommand("account/si-4/open", { owner: "c-si" });
    // A row in the way of AccountOpened's insert: the batch fails after its checkpoint statement ran.
    await fixtureEnv.READ_DB.prepare("INSERT INTO fixture_balances (id, owner, status, balance, version) VALUES ('si-4', 'stray', 'open', 99, 0)").run();
    const { retried, ids } = await deliver(BALANCES, captured.streamSentTo(BALANCES, "account/si-4"));
    expect(retried).toEqual(ids);

    const { response, checkpointReads } = query(`/accounts/si-4?consistentWith=${token}&wait=200`);
    const stale = await response;
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ error: "stale", pending: [{ projection: "balances", streamId: "account/si-4", version: 1 }] });
    expect(checkpointReads()).toBeGreaterThan(1);
  });
});
