import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { fixtureWorker } from "../../fixture/support/worker";
import { afterEach, describe, expect, it } from "vitest";
import { LIVE_REPLAY_PAGE, MAX_LIVE_SUBSCRIBERS, useQueueSender } from "../../../../src/runtime/aggregate-object";
import { openAccount } from "../../fixture/support";
import { ADMIN_TOKEN, json, objectOf, readStream } from "../../../support/http";
import { collectMessages } from "../../../support/live-socket";

// The live feed's limits: a cap on subscribers per object, a replay sent page by page, and a
// command whose answer never waits on its subscribers.

interface Envelope {
  version: number;
}

const ADMIN = { Authorization: `Bearer ${ADMIN_TOKEN}`, Upgrade: "websocket" };

const open = (id: string, from = 0) => fixtureWorker.fetch(`https://edge-cqrs.test/streams/account/${id}/live?from=${from}`, { headers: ADMIN });

/** Opens a live subscription and collects its messages. */
async function subscribe(id: string, from = 0) {
  const response = await open(id, from);
  expect(response.status).toBe(101);
  return collectMessages<Envelope>(response.webSocket!);
}

const run = (id: string, command: string, payload: unknown, commandId: string) =>
  objectOf("account", id).execute({ aggregate: "account", id, command, payload, commandId });

/** Opens `account/<id>` and deposits until the stream is at `length`, without queues. */
async function buildStream(id: string, length: number): Promise<void> {
  await runInDurableObject(objectOf("account", id), (instance) => instance[useQueueSender](async () => {}));
  expect((await run(id, "open", openAccount(), `${id}-1`)).ok).toBe(true);
  for (let next = 2; next <= length; next += 50) {
    const batch = Array.from({ length: Math.min(50, length - next + 1) }, (_, i) => run(id, "deposit", { amount: 1 }, `${id}-${next + i}`));
    expect((await Promise.all(batch)).every((o) => o.ok)).toBe(true);
  }
}

/**
 * Watches the WebSocket sends of one stream's envelopes in the isolate (the tests and the objects
 * share one; vitest's own sockets are left out): how many, and `bursts`, the number of sends made
 * in each synchronous run.
 */
function watchSends(streamId: string) {
  const original = WebSocket.prototype.send;
  const watch = { sends: 0, bursts: [] as number[], current: 0, restore: () => void (WebSocket.prototype.send = original) };
  WebSocket.prototype.send = function (this: WebSocket, message: string | ArrayBuffer | ArrayBufferView) {
    if (typeof message !== "string" || !message.includes(`"streamId":"${streamId}"`)) return original.call(this, message);
    if (watch.current === 0) {
      setTimeout(() => {
        watch.bursts.push(watch.current);
        watch.current = 0;
      }, 0);
    }
    watch.current++;
    watch.sends++;
    return original.call(this, message);
  };
  return watch;
}

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

describe("live subscribers per object", () => {
  it(`refuses subscriber ${MAX_LIVE_SUBSCRIBERS + 1} with 429 too_many_subscribers`, async () => {
    const id = "live-cap-1";
    const sockets: WebSocket[] = [];
    for (let i = 0; i < MAX_LIVE_SUBSCRIBERS; i++) {
      const response = await open(id);
      expect(response.status).toBe(101);
      response.webSocket!.accept();
      sockets.push(response.webSocket!);
    }
    const refused = await open(id);
    expect(refused.status).toBe(429);
    expect(await json(refused)).toMatchObject({ error: "too_many_subscribers", limit: MAX_LIVE_SUBSCRIBERS, message: expect.any(String) });
    for (const socket of sockets) socket.close(1000, "done");
  });
});

describe("live replay", () => {
  it(`sends a long history ${LIVE_REPLAY_PAGE} events per turn, with no gap or duplicate around commands made meanwhile`, async () => {
    const id = "live-page-1";
    const length = 3 * LIVE_REPLAY_PAGE + 50;
    await buildStream(id, length);
    const watch = watchSends(`account/${id}`);
    restore = watch.restore;

    const live = await subscribe(id);
    const during = [1, 2, 3].map((n) => run(id, "deposit", { amount: 300 }, `${id}-during-${n}`));
    expect((await Promise.all(during)).every((o) => o.ok)).toBe(true);
    const received = await live.untilCount(length + 3);
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(received.map((e) => e.version)).toEqual(Array.from({ length: length + 3 }, (_, i) => i + 1));
    expect(Math.max(...watch.bursts)).toBeLessThanOrEqual(LIVE_REPLAY_PAGE);
    live.socket.close(1000, "done");
  });

  it("resumes a replay that an eviction interrupted, from where it was", async () => {
    const id = "live-page-2";
    await buildStream(id, 5);
    const live = await subscribe(id, 5);
    // As if the object had been evicted after sending versions 1-2 of a longer replay.
    await runInDurableObject(objectOf("account", id), (_instance, state) => {
      for (const socket of state.getWebSockets()) socket.serializeAttachment({ from: 2, replaying: true });
    });
    await evictDurableObject(objectOf("account", id), { webSockets: "hibernate" });
    expect((await readStream("account", id, { limit: 1 })).status).toBe(200);
    expect((await live.untilCount(3)).map((e) => e.version)).toEqual([3, 4, 5]);
    live.socket.close(1000, "done");
  });
});

describe("broadcast", () => {
  it("answers the command before any subscriber is sent its events", async () => {
    const id = "live-async-1";
    await buildStream(id, 1);
    const live = await subscribe(id);
    await live.untilCount(1);
    const watch = watchSends(`account/${id}`);
    restore = watch.restore;

    const sentBeforeAnswer = await runInDurableObject(objectOf("account", id), async (instance) => {
      const outcome = await instance.execute({ aggregate: "account", id, command: "close", payload: {}, commandId: `${id}-close` });
      expect(outcome.ok).toBe(true);
      return watch.sends;
    });
    expect(sentBeforeAnswer).toBe(0);
    expect((await live.untilCount(2))[1]).toMatchObject({ version: 2 });
    live.socket.close(1000, "done");
  });
});
