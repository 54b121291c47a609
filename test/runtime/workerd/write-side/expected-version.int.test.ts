import { describe, expect, it } from "vitest";
import { openAccount } from "../../fixture/support";
import { command, json, readStream } from "../../../support/http";

// If-Match: the version the stream must be at; "0" means it must not exist yet.

describe("If-Match", () => {
  it('"0" on a new stream succeeds', async () => {
    const response = await command("account", "im-1", "open", openAccount(), { "If-Match": '"0"' });
    expect(response.status).toBe(200);
    expect((await json(response)).version).toBe(1);
  });

  it('"0" on an existing stream is a 409 with expected 0 and the actual version', async () => {
    await command("account", "im-2", "open", openAccount());
    await command("account", "im-2", "deposit", { amount: 300 });
    const response = await command("account", "im-2", "withdraw", { amount: 300 }, { "If-Match": '"0"' });
    expect(response.status).toBe(409);
    expect(await json(response)).toEqual({
      error: "version_conflict",
      message: expect.stringContaining("2"),
      expected: 0,
      actual: 2,
    });
    expect((await readStream("account", "im-2")).body.version).toBe(2);
  });

  it("the current version succeeds, and the answer's ETag is the next one to send", async () => {
    const opened = await command("account", "im-3", "open", openAccount(), { "If-Match": '"0"' });
    expect(opened.headers.get("ETag")).toBe('"1"');
    const deposited = await command("account", "im-3", "deposit", { amount: 300 }, { "If-Match": opened.headers.get("ETag")! });
    expect(deposited.status).toBe(200);
    expect((await json(deposited)).version).toBe(2);
    const stale = await command("account", "im-3", "deposit", { amount: 900 }, { "If-Match": '"1"' });
    expect(stale.status).toBe(409);
    expect(await json(stale)).toMatchObject({ expected: 1, actual: 2 });
  });

  it("accepts an unquoted version and a weak tag", async () => {
    await command("account", "im-4", "open", openAccount());
    expect((await command("account", "im-4", "deposit", { amount: 1 }, { "If-Match": "1" })).status).toBe(200);
    expect((await command("account", "im-4", "deposit", { amount: 1 }, { "If-Match": 'W/"2"' })).status).toBe(200);
  });

  it("a malformed If-Match is 400 invalid_header", async () => {
    await command("account", "im-5", "open", openAccount());
    const response = await command("account", "im-5", "close", {}, { "If-Match": '"one"' });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: "invalid_header", message: expect.stringContaining("If-Match") });
    expect((await readStream("account", "im-5")).body.version).toBe(1);
  });

  it("only one of two commands racing on the same expected version wins", async () => {
    await command("account", "im-6", "open", openAccount());
    const [a, b] = await Promise.all([
      command("account", "im-6", "deposit", { amount: 1 }, { "If-Match": '"1"' }),
      command("account", "im-6", "deposit", { amount: 2 }, { "If-Match": '"1"' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect((await readStream("account", "im-6")).body.version).toBe(2);
  });
});
