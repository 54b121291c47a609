import { evictDurableObject } from "cloudflare:test";
import { fixtureWorker } from "../../fixture/support/worker";
import { describe, expect, it } from "vitest";
import { openAccount } from "../../fixture/support";
import { ADMIN_TOKEN, API_TOKEN, command, json, objectOf } from "../../../support/http";
import { collectMessages } from "../../../support/live-socket";

// GET /streams/:aggregate/:id/live: stored events after ?from=, then each new one.

interface Envelope {
  streamId: string;
  version: number;
  type: string;
}

/** Opens a live subscription and collects its messages. */
async function subscribe(path: string, headers: Record<string, string> = { Authorization: `Bearer ${ADMIN_TOKEN}` }) {
  const response = await fixtureWorker.fetch(`https://edge-cqrs.test${path}`, { headers: { Upgrade: "websocket", ...headers } });
  expect(response.status).toBe(101);
  return collectMessages<Envelope>(response.webSocket!);
}

describe("live stream", () => {
  it("sends the stored events, then each new one as it is committed", async () => {
    await command("account", "live-1", "open", openAccount());
    await command("account", "live-1", "deposit", { amount: 800 });
    const live = await subscribe("/streams/account/live-1/live");
    expect((await live.untilCount(2)).map((e) => [e.version, e.type])).toEqual([
      [1, "AccountOpened"],
      [2, "Deposited"],
    ]);
    await command("account", "live-1", "withdraw", { amount: 800 });
    expect((await live.untilCount(3))[2]).toMatchObject({ streamId: "account/live-1", version: 3, type: "Withdrawn" });
    live.socket.close(1000, "done");
  });

  it("starts after ?from= and waits on a stream not written yet", async () => {
    const live = await subscribe("/streams/account/live-2/live?from=1");
    await command("account", "live-2", "open", openAccount());
    await command("account", "live-2", "close");
    expect((await live.untilCount(1)).map((e) => e.version)).toEqual([2]);
    live.socket.close(1000, "done");
  });

  it("keeps feeding a subscriber after the object hibernates", async () => {
    await command("account", "live-6", "open", openAccount());
    const live = await subscribe("/streams/account/live-6/live?from=1");
    await evictDurableObject(objectOf("account", "live-6"), { webSockets: "hibernate" });
    await command("account", "live-6", "close");
    expect((await live.untilCount(1)).map((e) => [e.version, e.type])).toEqual([[2, "AccountClosed"]]);
    live.socket.close(1000, "done");
  });

  it("feeds several subscribers of one stream", async () => {
    const a = await subscribe("/streams/account/live-3/live");
    const b = await subscribe(`/streams/account/live-3/live?access_token=${ADMIN_TOKEN}`, {});
    await command("account", "live-3", "open", openAccount());
    expect((await a.untilCount(1))[0]?.version).toBe(1);
    expect((await b.untilCount(1))[0]?.version).toBe(1);
    a.socket.close(1000, "done");
    b.socket.close(1000, "done");
  });
});

describe("live stream access", () => {
  const open = (path: string, headers: Record<string, string>) => fixtureWorker.fetch(`https://edge-cqrs.test${path}`, { headers });

  it("takes the admin token from ?access_token= for browsers, on upgrades only", async () => {
    const browser = await open(`/streams/account/live-4/live?access_token=${ADMIN_TOKEN}`, { Upgrade: "websocket" });
    expect(browser.status).toBe(101);
    browser.webSocket!.accept();
    browser.webSocket!.close(1000, "done");
    expect((await open(`/streams/account/live-4?access_token=${ADMIN_TOKEN}`, {})).status).toBe(401);
  });

  it("refuses the API token, a missing token, plain HTTP, and bad names", async () => {
    expect((await open("/streams/account/live-5/live", { Upgrade: "websocket", Authorization: `Bearer ${API_TOKEN}` })).status).toBe(401);
    expect((await open("/streams/account/live-5/live", { Upgrade: "websocket" })).status).toBe(401);
    const plain = await open("/streams/account/live-5/live", { Authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(plain.status).toBe(426);
    expect(await json(plain)).toMatchObject({ error: "upgrade_required" });
    const admin = { Upgrade: "websocket", Authorization: `Bearer ${ADMIN_TOKEN}` };
    expect(await json(await open("/streams/nope/x/live", admin))).toMatchObject({ error: "unknown_aggregate" });
    expect(await json(await open("/streams/account/bad%20id/live", admin))).toMatchObject({ error: "invalid_id" });
    expect(await json(await open("/streams/account/live-5/live?from=-1", admin))).toMatchObject({ error: "invalid_query" });
  });
});
