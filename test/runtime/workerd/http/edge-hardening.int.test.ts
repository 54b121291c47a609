import { describe, expect, it } from "vitest";
import { RESERVED_METADATA_KEYS } from "../../../../src/runtime/envelope";
import { MAX_JSON_DEPTH } from "../../../../src/runtime/http";
import { RUNTIME_COMMAND_ID_PREFIX } from "../../../../src/runtime/ids";
import { openAccount } from "../../fixture/support";
import { ADMIN_TOKEN, API_TOKEN, call, command, json, storedRows } from "../../../support/http";

// The HTTP edge against hostile input, one focused case per class of defect: names that exist on
// every JS object, nesting, the runtime's reserved ids and metadata keys, and tokens in URLs.
// Each refusal is checked to have stored nothing.

const PROTOTYPE_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf", "__defineGetter__"];

async function expectRefused(response: Response, status: number, error: string): Promise<Record<string, any>> {
  const body = await json(response);
  expect({ status: response.status, error: body.error }).toEqual({ status, error });
  expect(body.message).toEqual(expect.stringMatching(/\w+ \w+/));
  return body;
}

const nested = (depth: number, inner = "1") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;

describe("names that every JS object has are unknown names, never a 500", () => {
  it.each(PROTOTYPE_NAMES)("POST /commands/account/:id/%s is 404 unknown_command", async (name) => {
    await expectRefused(await command("account", "proto-1", name, openAccount()), 404, "unknown_command");
    expect(await storedRows("account", "proto-1")).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it.each(PROTOTYPE_NAMES)("POST /commands/%s/:id/open is 404 unknown_aggregate", async (name) => {
    await expectRefused(await command(name, "proto-2", "open", openAccount()), 404, "unknown_aggregate");
  });
});

describe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`, () => {
  it(`accepts a body nested exactly ${MAX_JSON_DEPTH} levels (the payload schema then judges it)`, async () => {
    const body = `{"owner":"c-1","labels":["savings"],"extra":${nested(MAX_JSON_DEPTH - 1)}}`;
    await expectRefused(await command("account", "deep-1", "open", body), 400, "invalid_command");
  });

  it.each([MAX_JSON_DEPTH + 1, 5_000, 30_000])("refuses a body nested %i levels with 400 invalid_json and stores nothing", async (depth) => {
    const body = await expectRefused(await command("account", "deep-2", "open", nested(depth)), 400, "invalid_json");
    expect(body.maxDepth).toBe(MAX_JSON_DEPTH);
    expect(await storedRows("account", "deep-2")).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it("does not count brackets inside strings, escaped quotes included", async () => {
    expect((await command("account", "deep-3", "open", openAccount())).status).toBe(200);
    const memo = `\\"${"[{".repeat(99)}`; // 199 characters: a valid memo, and 198 brackets, far past the depth limit
    expect((await command("account", "deep-3", "deposit", `{"amount":1,"memo":"${memo}"}`)).status).toBe(200);
    expect(await storedRows("account", "deep-3")).toMatchObject({ events: 2 });
  });

  it("refuses an X-Event-Metadata header nested past the limit with 400 invalid_header", async () => {
    const header = `{"a":${nested(MAX_JSON_DEPTH + 1, '"x"')}}`;
    await expectRefused(await command("account", "deep-4", "open", openAccount(), { "X-Event-Metadata": header }), 400, "invalid_header");
    expect(await storedRows("account", "deep-4")).toEqual({ streams: 0, events: 0, commands: 0 });
  });
});

describe("the runtime's command ids", () => {
  it.each([`${RUNTIME_COMMAND_ID_PREFIX}pm:crediting:0193a1b2-0000-7000-8000-000000000000:0`, RUNTIME_COMMAND_ID_PREFIX, `${RUNTIME_COMMAND_ID_PREFIX}anything`])(
    "refuses Idempotency-Key %s with 400 invalid_header and stores nothing",
    async (key) => {
      const body = await expectRefused(await command("account", "rid-1", "open", openAccount(), { "Idempotency-Key": key }), 400, "invalid_header");
      expect(body.message).toContain(RUNTIME_COMMAND_ID_PREFIX);
      expect(body.reservedPrefix).toBe(RUNTIME_COMMAND_ID_PREFIX);
      expect(await storedRows("account", "rid-1")).toEqual({ streams: 0, events: 0, commands: 0 });
    },
  );

  it("accepts a key that only contains the prefix further in", async () => {
    const response = await command("account", "rid-2", "open", openAccount(), { "Idempotency-Key": `client:${RUNTIME_COMMAND_ID_PREFIX}1` });
    expect(response.status).toBe(200);
  });
});

describe("X-Event-Metadata naming a key the runtime owns", () => {
  it.each([...RESERVED_METADATA_KEYS])("refuses %s with 400 invalid_header naming it", async (key) => {
    const header = JSON.stringify({ tenant: "acme", [key]: "forged" });
    const body = await expectRefused(await command("account", "rmk-1", "open", openAccount(), { "X-Event-Metadata": header }), 400, "invalid_header");
    expect(body.keys).toEqual([key]);
    expect(body.message).toContain(key);
    expect(await storedRows("account", "rmk-1")).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it.each(PROTOTYPE_NAMES)("refuses %s, a member name of every object, instead of storing or dropping it", async (key) => {
    const body = await expectRefused(
      await command("account", "rmk-2", "open", openAccount(), { "X-Event-Metadata": `{"${key}":"x"}` }),
      400,
      "invalid_header",
    );
    expect(body.keys).toEqual([key]);
    expect(await storedRows("account", "rmk-2")).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it("still takes the caller's own keys", async () => {
    const response = await command("account", "rmk-3", "open", openAccount(), { "X-Event-Metadata": '{"tenant":"acme","actorName":"ann"}' });
    expect(response.status).toBe(200);
  });
});

describe("?access_token= outside the live-stream upgrade", () => {
  const upgrade = { Upgrade: "websocket" };
  it.each([
    ["GET a stream with the admin token", `/streams/account/tok-1?access_token=${ADMIN_TOKEN}`],
    ["GET /admin/projections with the admin token", `/admin/projections?access_token=${ADMIN_TOKEN}`],
    ["GET a dead-letter list with the admin token", `/admin/projections/balances/dead-letters?access_token=${ADMIN_TOKEN}`],
    ["GET a query with the API token", `/accounts/tok-1?access_token=${API_TOKEN}`],
    ["GET a live stream one segment too deep", `/streams/account/tok-1/live/more?access_token=${ADMIN_TOKEN}`],
  ])("%s is 401 even with Upgrade: websocket", async (_label, path) => {
    await expectRefused(await call(path, { headers: upgrade }), 401, "unauthorized");
  });

  it.each([
    ["a command", `/commands/account/tok-2/open?access_token=${API_TOKEN}`],
    ["a dead-letter replay", `/admin/projections/balances/dead-letters/replay?access_token=${ADMIN_TOKEN}`],
    ["a rebuild", `/admin/projections/balances/rebuild?access_token=${ADMIN_TOKEN}`],
  ])("POST %s is 401 even with Upgrade: websocket, and stores nothing", async (_label, path) => {
    const init = { method: "POST", headers: { ...upgrade, "Content-Type": "application/json" }, body: JSON.stringify(openAccount()) };
    await expectRefused(await call(path, init), 401, "unauthorized");
    expect(await storedRows("account", "tok-2")).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it("is still accepted on the live-stream upgrade itself", async () => {
    const response = await call(`/streams/account/tok-3/live?access_token=${ADMIN_TOKEN}`, { headers: upgrade });
    expect(response.status).toBe(101);
    response.webSocket!.accept();
    response.webSocket!.close(1000, "done");
  });
});
