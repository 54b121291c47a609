import { describe, expect, it } from "vitest";
import { RESERVED_METADATA_KEYS } from "../../src/runtime/envelope";
import { MAX_JSON_DEPTH } from "../../src/runtime/http";
import { RUNTIME_COMMAND_ID_PREFIX } from "../../src/runtime/ids";
import { ADMIN_TOKEN, API_TOKEN, call, command, json, placeOrder, storedRows } from "../support/http";

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
  it.each(PROTOTYPE_NAMES)("POST /commands/order/:id/%s is 404 unknown_command", async (name) => {
    await expectRefused(await command("order", "proto-1", name, placeOrder()), 404, "unknown_command");
    expect(await storedRows("order", "proto-1")).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it.each(PROTOTYPE_NAMES)("POST /commands/%s/:id/place is 404 unknown_aggregate", async (name) => {
    await expectRefused(await command(name, "proto-2", "place", placeOrder()), 404, "unknown_aggregate");
  });
});

describe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`, () => {
  it(`accepts a body nested exactly ${MAX_JSON_DEPTH} levels (the payload schema then judges it)`, async () => {
    const body = `{"customerId":"c-1","items":[{"sku":"tea","quantity":1,"unitPrice":1}],"extra":${nested(MAX_JSON_DEPTH - 1)}}`;
    await expectRefused(await command("order", "deep-1", "place", body), 400, "invalid_command");
  });

  it.each([MAX_JSON_DEPTH + 1, 5_000, 30_000])("refuses a body nested %i levels with 400 invalid_json and stores nothing", async (depth) => {
    const body = await expectRefused(await command("order", "deep-2", "place", nested(depth)), 400, "invalid_json");
    expect(body.maxDepth).toBe(MAX_JSON_DEPTH);
    expect(await storedRows("order", "deep-2")).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it("does not count brackets inside strings, escaped quotes included", async () => {
    expect((await command("order", "deep-3", "place", placeOrder())).status).toBe(200);
    const reason = `\\"${"[{".repeat(100)}`;
    expect((await command("order", "deep-3", "cancel", `{"reason":"${reason}"}`)).status).toBe(200);
    expect(await storedRows("order", "deep-3")).toMatchObject({ events: 2 });
  });

  it("refuses an X-Event-Metadata header nested past the limit with 400 invalid_header", async () => {
    const header = `{"a":${nested(MAX_JSON_DEPTH + 1, '"x"')}}`;
    await expectRefused(await command("order", "deep-4", "place", placeOrder(), { "X-Event-Metadata": header }), 400, "invalid_header");
    expect(await storedRows("order", "deep-4")).toEqual({ streams: 0, events: 0, commands: 0 });
  });
});

describe("the runtime's command ids", () => {
  it.each([`${RUNTIME_COMMAND_ID_PREFIX}pm:fulfilment:0193a1b2-0000-7000-8000-000000000000:0`, RUNTIME_COMMAND_ID_PREFIX, `${RUNTIME_COMMAND_ID_PREFIX}anything`])(
    "refuses Idempotency-Key %s with 400 invalid_header and stores nothing",
    async (key) => {
      const body = await expectRefused(await command("order", "rid-1", "place", placeOrder(), { "Idempotency-Key": key }), 400, "invalid_header");
      expect(body.message).toContain(RUNTIME_COMMAND_ID_PREFIX);
      expect(body.reservedPrefix).toBe(RUNTIME_COMMAND_ID_PREFIX);
      expect(await storedRows("order", "rid-1")).toEqual({ streams: 0, events: 0, commands: 0 });
    },
  );

  it("accepts a key that only contains the prefix further in", async () => {
    const response = await command("order", "rid-2", "place", placeOrder(), { "Idempotency-Key": `client:${RUNTIME_COMMAND_ID_PREFIX}1` });
    expect(response.status).toBe(200);
  });
});

describe("X-Event-Metadata naming a key the runtime owns", () => {
  it.each([...RESERVED_METADATA_KEYS])("refuses %s with 400 invalid_header naming it", async (key) => {
    const header = JSON.stringify({ tenant: "acme", [key]: "forged" });
    const body = await expectRefused(await command("order", "rmk-1", "place", placeOrder(), { "X-Event-Metadata": header }), 400, "invalid_header");
    expect(body.keys).toEqual([key]);
    expect(body.message).toContain(key);
    expect(await storedRows("order", "rmk-1")).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it.each(PROTOTYPE_NAMES)("refuses %s, a member name of every object, instead of storing or dropping it", async (key) => {
    const body = await expectRefused(
      await command("order", "rmk-2", "place", placeOrder(), { "X-Event-Metadata": `{"${key}":"x"}` }),
      400,
      "invalid_header",
    );
    expect(body.keys).toEqual([key]);
    expect(await storedRows("order", "rmk-2")).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it("still takes the caller's own keys", async () => {
    const response = await command("order", "rmk-3", "place", placeOrder(), { "X-Event-Metadata": '{"tenant":"acme","actorName":"ann"}' });
    expect(response.status).toBe(200);
  });
});

describe("?access_token= outside the live-stream upgrade", () => {
  const upgrade = { Upgrade: "websocket" };
  it.each([
    ["GET a stream with the admin token", `/streams/order/tok-1?access_token=${ADMIN_TOKEN}`],
    ["GET /admin/projections with the admin token", `/admin/projections?access_token=${ADMIN_TOKEN}`],
    ["GET a dead-letter list with the admin token", `/admin/projections/order-details/dead-letters?access_token=${ADMIN_TOKEN}`],
    ["GET a query with the API token", `/orders/tok-1?access_token=${API_TOKEN}`],
    ["GET a live stream one segment too deep", `/streams/order/tok-1/live/more?access_token=${ADMIN_TOKEN}`],
  ])("%s is 401 even with Upgrade: websocket", async (_label, path) => {
    await expectRefused(await call(path, { headers: upgrade }), 401, "unauthorized");
  });

  it.each([
    ["a command", `/commands/order/tok-2/place?access_token=${API_TOKEN}`],
    ["a dead-letter replay", `/admin/projections/order-details/dead-letters/replay?access_token=${ADMIN_TOKEN}`],
  ])("POST %s is 401 even with Upgrade: websocket, and stores nothing", async (_label, path) => {
    const init = { method: "POST", headers: { ...upgrade, "Content-Type": "application/json" }, body: JSON.stringify(placeOrder()) };
    await expectRefused(await call(path, init), 401, "unauthorized");
    expect(await storedRows("order", "tok-2")).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it("is still accepted on the live-stream upgrade itself", async () => {
    const response = await call(`/streams/order/tok-3/live?access_token=${ADMIN_TOKEN}`, { headers: upgrade });
    expect(response.status).toBe(101);
    response.webSocket!.accept();
    response.webSocket!.close(1000, "done");
  });
});
