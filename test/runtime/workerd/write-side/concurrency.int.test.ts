import { describe, expect, it } from "vitest";
import { openAccount } from "../../fixture/support";
import { command, json, readStream } from "../../../support/http";

// The object processes one command at a time; versions are 1, 2, 3 … without gaps.

describe("concurrent commands on one aggregate", () => {
  it("50 parallel deposits all succeed with versions 2..51 and no gap in the stream", async () => {
    expect((await command("account", "hot-1", "open", openAccount())).status).toBe(200);
    const amounts = Array.from({ length: 50 }, (_, i) => (i % 7) + 1);

    const responses = await Promise.all(amounts.map((amount) => command("account", "hot-1", "deposit", { amount })));
    expect(responses.map((r) => r.status)).toEqual(amounts.map(() => 200));
    const versions = (await Promise.all(responses.map((r) => json(r)))).map((body) => body.version as number);
    expect([...versions].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));

    const { status, body } = await readStream("account", "hot-1", { asOf: 51 });
    expect(status).toBe(200);
    expect(body.version).toBe(51);
    expect(body.events.map((e: { version: number }) => e.version)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    const sum = amounts.reduce((a, b) => a + b, 0);
    expect(body.state.value).toEqual({ status: "open", owner: "c-1", balance: sum, deposits: 50 });
    const deposited = body.events.slice(1).map((e: { data: { amount: number } }) => e.data.amount);
    expect(deposited.reduce((a: number, b: number) => a + b, 0)).toBe(sum);
  });

  it("commands on different aggregates run side by side without affecting each other", async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `side-${i}`);
    const opened = await Promise.all(ids.map((id) => command("account", id, "open", openAccount())));
    expect(opened.map((r) => r.status)).toEqual(ids.map(() => 200));
    for (const id of ids) {
      const { body } = await readStream("account", id);
      expect({ streamId: body.streamId, version: body.version }).toEqual({ streamId: `account/${id}`, version: 1 });
    }
  });
});
