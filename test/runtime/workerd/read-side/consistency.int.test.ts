import { beforeAll, describe, expect, it } from "vitest";
import { getQuery, runCommand, type CommandBody } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { BALANCES } from "../../fixture/support";
import { deliver } from "../../fixture/support/delivery";

const captured = new CapturedEvents();

const base64Url = (text: string) => btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Delivers everything the stream has sent to the balances view so far that the view has not seen. */
async function applyToBalances(streamId: string): Promise<void> {
  const { acked, ids } = await deliver(BALANCES, captured.streamSentTo(BALANCES, streamId));
  expect(acked).toEqual(ids);
}

describe("consistency tokens over HTTP", () => {
  let placed: CommandBody;

  beforeAll(async () => {
    await captured.install("account/co-1", "account/co-3", "account/co-2");
    placed = await runCommand("account/co-1/open", { owner: "cc-1" });
  });

  it("answers 412 stale with Retry-After when the view has not reached the token in time", async () => {
    const started = Date.now();
    const response = await getQuery(`/accounts/co-1?consistentWith=${placed.token}&wait=300`);
    expect(response.status).toBe(412);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(response.headers.get("Retry-After")).toMatch(/^[1-9][0-9]*$/);
    expect(await response.json()).toMatchObject({
      error: "stale",
      message: expect.any(String),
      pending: [{ projection: "balances", streamId: "account/co-1", version: 1 }],
    });
  });

  it("answers 404, not stale data, for a query without a token before the projection ran", async () => {
    expect((await getQuery("/accounts/co-1")).status).toBe(404);
  });

  it("waits for the batch and answers 200 with the new data as soon as it is applied", async () => {
    const query = getQuery(`/accounts/co-1?consistentWith=${placed.token}&wait=3000`);
    await sleep(50);
    const started = Date.now();
    await applyToBalances("account/co-1");
    const response = await query;
    expect(response.status).toBe(200);
    // Answered on catching up, not at the end of the 3 s wait (generous margin for a loaded CI box).
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await response.json()).toEqual({ id: "co-1", owner: "cc-1", status: "open", balance: 0, version: 1 });
  });

  it("takes the token from the X-Consistency-Token header like the query parameter", async () => {
    const added = await runCommand("account/co-1/deposit", { amount: 50 });
    const stale = await getQuery("/accounts/co-1?wait=200", { "X-Consistency-Token": added.token });
    expect(stale.status).toBe(412);
    expect(stale.headers.get("Retry-After")).not.toBeNull();

    const query = getQuery("/accounts/co-1?wait=3000", { "X-Consistency-Token": added.token });
    await sleep(50);
    await applyToBalances("account/co-1");
    const response = await query;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ balance: 50, version: 2 });
  });

  it("waits for every stream of comma-merged tokens (two accounts)", async () => {
    const deposited = await runCommand("account/co-1/deposit", { amount: 25 });
    const opened = await runCommand("account/co-3/open", { owner: "cc-1" });
    const merged = `${deposited.token},${opened.token}`;

    await applyToBalances("account/co-1");
    const halfway = await getQuery(`/accounts/co-1?consistentWith=${merged}&wait=250`);
    expect(halfway.status).toBe(412);
    expect(await halfway.json()).toMatchObject({ pending: [{ projection: "balances", streamId: "account/co-3", version: 1 }] });

    const query = getQuery(`/accounts/co-1?consistentWith=${merged}&wait=3000`);
    await sleep(50);
    await applyToBalances("account/co-3");
    const response = await query;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ balance: 75, version: 3 });
  });

  it("answers at once when the token is already reached", async () => {
    const started = Date.now();
    const response = await getQuery(`/accounts/co-1?consistentWith=${placed.token}&wait=10000`);
    expect(response.status).toBe(200);
    // Not the 10 s wait: the checkpoint is already there.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("applies tokens to the statement query too", async () => {
    const other = await runCommand("account/co-2/open", { owner: "cc-1" });
    const response = await getQuery(`/accounts/co-2/statement?consistentWith=${other.token}&wait=150`);
    expect(response.status).toBe(412);
    expect(await response.json()).toMatchObject({ error: "stale", pending: [{ projection: "statement", streamId: "account/co-2", version: 1 }] });
  });

  it.each([
    ["garbage", "garbage"],
    ["a.b", "a.b"],
    ["a stream id that is not one", `${base64Url("not-a-stream")}.1`],
    ["an id outside the alphabet", `${base64Url("account/o 1")}.1`],
    ["version -1", `${base64Url("account/co-1")}.-1`],
    ["version 1.5", `${base64Url("account/co-1")}.1.5`],
    ["a non-numeric version", `${base64Url("account/co-1")}.one`],
    ["an empty merged part", `${base64Url("account/co-1")}.1,`],
    ["a huge version", `${base64Url("account/co-1")}.99999999999999999999`],
    ["non-UTF-8 bytes", `${btoa("\xff\xfe/\xff").replaceAll("=", "")}.1`],
    ["more than 100 positions", Array.from({ length: 101 }, (_, i) => `${base64Url(`account/o-${i}`)}.1`).join(",")],
  ])("refuses a malformed token (%s) with 400 invalid_token, never 500", async (_, token) => {
    for (const response of [
      await getQuery(`/accounts/co-1?consistentWith=${encodeURIComponent(token)}&wait=0`),
      await getQuery("/accounts/co-1?wait=0", { "X-Consistency-Token": token }),
    ]) {
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_token", message: expect.any(String) });
    }
  });

  it.each(["20000", "-1", "soon"])("refuses wait=%s with 400", async (wait) => {
    const response = await getQuery(`/accounts/co-1?consistentWith=${placed.token}&wait=${wait}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_query" });
  });
});
