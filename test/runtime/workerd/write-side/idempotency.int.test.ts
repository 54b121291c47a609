import { describe, expect, it } from "vitest";
import { openAccount } from "../../fixture/support";
import { command, json, readStream } from "../../../support/http";

// The Idempotency-Key is the command id. A retry with the same key and the same payload answers
// exactly as the first time and appends nothing; a different payload is a 422.

describe("idempotent replay", () => {
  it("answers a retried command with the identical body, flags the replay and appends nothing", async () => {
    const key = { "Idempotency-Key": "open-idem-1" };
    const first = await command("account", "idem-1", "open", openAccount(), key);
    expect(first.status).toBe(200);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const firstBody = await first.text();
    const before = await readStream("account", "idem-1");

    const retry = await command("account", "idem-1", "open", openAccount(), key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await retry.text()).toBe(firstBody);
    expect(retry.headers.get("X-Consistency-Token")).toBe(first.headers.get("X-Consistency-Token"));
    expect(await readStream("account", "idem-1")).toEqual(before);
    expect(before.body.version).toBe(1);
  });

  it("replays the first answer even after the stream moved on", async () => {
    const key = { "Idempotency-Key": "deposit-idem-2" };
    await command("account", "idem-2", "open", openAccount());
    const first = await json(await command("account", "idem-2", "deposit", { amount: 300 }, key));
    await command("account", "idem-2", "deposit", { amount: 900 });

    const retry = await command("account", "idem-2", "deposit", { amount: 300 }, key);
    expect(await json(retry)).toEqual(first);
    expect(first.version).toBe(2);
    const { body } = await readStream("account", "idem-2", { asOf: 3 });
    expect(body.version).toBe(3);
    expect(body.state.value).toEqual({ status: "open", owner: "c-1", balance: 1200, deposits: 2 });
  });

  it("treats the same payload with its keys in another order as the same request", async () => {
    await command("account", "idem-3", "open", openAccount());
    const key = { "Idempotency-Key": "deposit-idem-3" };
    const first = await command("account", "idem-3", "deposit", { amount: 300, memo: "rent" }, key);
    const reordered = await command("account", "idem-3", "deposit", { memo: "rent", amount: 300 }, key);
    expect(reordered.status).toBe(200);
    expect(reordered.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await json(reordered)).toEqual(await json(first));
    expect((await readStream("account", "idem-3")).body.version).toBe(2);
  });

  it("refuses the same key with a different payload as idempotency_key_reuse", async () => {
    const key = { "Idempotency-Key": "open-idem-4" };
    await command("account", "idem-4", "open", openAccount(), key);
    const reused = await command("account", "idem-4", "open", openAccount("c-2"), key);
    expect(reused.status).toBe(422);
    expect(reused.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await json(reused)).toMatchObject({ error: "idempotency_key_reuse", message: expect.any(String) });
    expect((await readStream("account", "idem-4")).body.version).toBe(1);
  });

  it("refuses the same key for another command of the same payload", async () => {
    const key = { "Idempotency-Key": "idem-5-key" };
    await command("account", "idem-5", "open", openAccount());
    await command("account", "idem-5", "deposit", { amount: 500 });
    expect((await command("account", "idem-5", "withdraw", { amount: 100 }, key)).status).toBe(200);
    const other = await command("account", "idem-5", "deposit", { amount: 100 }, key);
    expect(other.status).toBe(422);
    expect((await json(other)).error).toBe("idempotency_key_reuse");
  });

  it("gives every command without a key its own id: two identical deposits append twice", async () => {
    await command("account", "idem-6", "open", openAccount());
    const a = await json(await command("account", "idem-6", "deposit", { amount: 300 }));
    const b = await json(await command("account", "idem-6", "deposit", { amount: 300 }));
    expect([a.version, b.version]).toEqual([2, 3]);
    const { body } = await readStream("account", "idem-6");
    expect(body.events[1].metadata.commandId).not.toBe(body.events[2].metadata.commandId);
  });

  it("a replay is answered before If-Match is checked: the retry of a conditional command still succeeds", async () => {
    const headers = { "Idempotency-Key": "idem-7-open", "If-Match": '"0"' };
    const first = await json(await command("account", "idem-7", "open", openAccount(), headers));
    const retry = await command("account", "idem-7", "open", openAccount(), headers);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await json(retry)).toEqual(first);
  });

  it("the same command sent 10 times at once appends once; the others are replays of it", async () => {
    await command("account", "idem-8", "open", openAccount());
    const headers = { "Idempotency-Key": "idem-8-deposit" };
    const responses = await Promise.all(Array.from({ length: 10 }, () => command("account", "idem-8", "deposit", { amount: 300 }, headers)));
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    expect(responses.filter((r) => r.headers.get("Idempotent-Replayed") === "true")).toHaveLength(9);
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    expect((await readStream("account", "idem-8")).body.version).toBe(2);
  });
});
