import { abortAllDurableObjects, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openAccount } from "../../fixture/support";
import { adminGet, command, json, objectOf } from "../../../support/http";

// State lives in memory between commands and is rebuilt from storage on wake: an eviction or a
// crash loses nothing, and the stream continues where it stopped.

async function writeStream(id: string): Promise<void> {
  expect((await command("account", id, "open", openAccount(), { "X-Correlation-Id": `${id}-flow` })).status).toBe(200);
  expect((await command("account", id, "deposit", { amount: 300 })).status).toBe(200);
  expect((await command("account", id, "deposit", { amount: 1800, memo: "salary" })).status).toBe(200);
  expect((await command("account", id, "withdraw", { amount: 300 })).status).toBe(200);
}

const streamText = async (id: string) => (await adminGet(`/streams/account/${id}?asOf=4`)).text();

describe.each([
  ["evicted", (id: string) => evictDurableObject(objectOf("account", id))],
  ["aborted", (_id: string) => abortAllDurableObjects()],
])("an object %s", (_label, stop) => {
  it("reads its stream back byte-identical and continues at the next version", async () => {
    const id = `ev-${_label}`;
    await writeStream(id);
    const before = await streamText(id);
    expect(JSON.parse(before).version).toBe(4);

    await stop(id);
    expect(await streamText(id)).toBe(before);

    const next = await command("account", id, "deposit", { amount: 900 }, { "If-Match": '"4"' });
    expect(next.status).toBe(200);
    expect((await json(next)).version).toBe(5);
    const after = await json(await adminGet(`/streams/account/${id}?asOf=5`));
    expect(after.events.map((e: { version: number }) => e.version)).toEqual([1, 2, 3, 4, 5]);
    expect(after.state.value).toEqual({ status: "open", owner: "c-1", balance: 2700, deposits: 3 });
  });

  it("still replays an idempotent command and refuses a reused key", async () => {
    const id = `ev-idem-${_label}`;
    const key = { "Idempotency-Key": `${id}-open` };
    const first = await command("account", id, "open", openAccount(), key);
    const firstBody = await first.text();
    await stop(id);

    const retry = await command("account", id, "open", openAccount(), key);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await retry.text()).toBe(firstBody);
    const reused = await command("account", id, "open", openAccount("c-2"), key);
    expect((await json(reused)).error).toBe("idempotency_key_reuse");
    const { version } = await json(await adminGet(`/streams/account/${id}`));
    expect(version).toBe(1);
  });
});
