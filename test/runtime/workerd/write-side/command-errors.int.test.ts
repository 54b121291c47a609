import { describe, expect, it } from "vitest";
import { openAccount } from "../../fixture/support";
import { ADMIN_TOKEN, API_TOKEN, call, command, json, readStream, storedRows } from "../../../support/http";

// Every write-side error of the HTTP API: exact status, code and a human message, and
// proof that a refused command stored nothing, neither on a new stream nor on an existing one.

const MESSAGE = expect.stringMatching(/\w+ \w+/);

async function expectError(response: Response, status: number, error: string): Promise<Record<string, any>> {
  const body = await json(response);
  expect({ status: response.status, error: body.error }).toEqual({ status, error });
  expect(body.message).toEqual(MESSAGE);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
  return body;
}

/** The stream was never written: GET /streams is 404 and the object holds no rows. */
async function expectNeverWritten(id: string): Promise<void> {
  const { status, body } = await readStream("account", id);
  expect(status).toBe(404);
  expect(body.error).toBe("not_found");
  expect(await storedRows("account", id)).toEqual({ streams: 0, events: 0, commands: 0 });
}

/** An account opened with one command, and a function that checks it is exactly as it was. */
async function existingAccount(id: string): Promise<() => Promise<void>> {
  expect((await command("account", id, "open", openAccount())).status).toBe(200);
  const before = await readStream("account", id);
  expect(before.body.version).toBe(1);
  return async () => {
    expect(await readStream("account", id)).toEqual(before);
    expect(await storedRows("account", id)).toEqual({ streams: 1, events: 1, commands: 1 });
  };
}

describe("400 invalid_json", () => {
  it("refuses a body that is not JSON and stores nothing", async () => {
    await expectError(await command("account", "json-1", "open", '{"owner": "c-1", labels: ['), 400, "invalid_json");
    await expectNeverWritten("json-1");
  });

  it("leaves an existing stream unchanged", async () => {
    const unchanged = await existingAccount("json-2");
    await expectError(await command("account", "json-2", "deposit", "not json at all"), 400, "invalid_json");
    await unchanged();
  });
});

describe("400 invalid_command", () => {
  it("names the failing path in issues and stores nothing", async () => {
    const body = await expectError(
      await command("account", "cmd-1", "open", { owner: "c-1", labels: ["savings", ""] }),
      400,
      "invalid_command",
    );
    expect(body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: ["labels", "1"], message: MESSAGE })]));
    await expectNeverWritten("cmd-1");
  });

  it("reports a missing field and an unknown field by path", async () => {
    const body = await expectError(
      await command("account", "cmd-2", "open", { labels: ["savings"], colour: "red" }),
      400,
      "invalid_command",
    );
    const paths = (body.issues as { path: string[] }[]).map((issue) => issue.path);
    expect(paths).toContainEqual(["owner"]);
    await expectNeverWritten("cmd-2");
  });

  it("leaves an existing stream unchanged", async () => {
    const unchanged = await existingAccount("cmd-3");
    const body = await expectError(await command("account", "cmd-3", "deposit", { amount: -5 }), 400, "invalid_command");
    expect(body.issues).toEqual([expect.objectContaining({ path: ["amount"] })]);
    await unchanged();
  });
});

describe("400 invalid_id", () => {
  it.each([
    ["a space", "o%201", "o 1"],
    ["129 characters", "a".repeat(129), "a".repeat(129)],
    ["a non-ASCII letter", "%C3%A9t%C3%A9", "été"],
    ["a percent-encoded slash", "o%2F1", "o/1"],
  ])("refuses an id with %s and creates no stream", async (_label, encoded, decoded) => {
    await expectError(await command("account", encoded, "open", openAccount()), 400, "invalid_id");
    expect(await storedRows("account", decoded)).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it("accepts the full id alphabet up to 128 characters", async () => {
    const id = `Az09._~-${"x".repeat(120)}`;
    expect(id).toHaveLength(128);
    expect((await command("account", id, "open", openAccount())).status).toBe(200);
    expect((await readStream("account", id)).body.streamId).toBe(`account/${id}`);
  });

  it("is answered on GET /streams too", async () => {
    await expectError(await call("/streams/account/o%201", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }), 400, "invalid_id");
  });
});

describe("401 unauthorized", () => {
  const place = (headers: Record<string, string>) => command("account", "auth-1", "open", openAccount(), headers);

  it.each([
    ["no token", { Authorization: "" }],
    ["a wrong token", { Authorization: "Bearer not-the-token" }],
    ["the admin token", { Authorization: `Bearer ${ADMIN_TOKEN}` }],
    ["a non-bearer scheme", { Authorization: `Basic ${API_TOKEN}` }],
  ])("refuses a command with %s and stores nothing", async (_label, headers) => {
    const response = await place(headers);
    await expectError(response, 401, "unauthorized");
    expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    await expectNeverWritten("auth-1");
  });

  it("refuses GET /streams with the API token, a wrong token or none", async () => {
    await existingAccount("auth-2");
    for (const authorization of [`Bearer ${API_TOKEN}`, "Bearer nope", ""]) {
      await expectError(await call("/streams/account/auth-2", { headers: { Authorization: authorization } }), 401, "unauthorized");
    }
  });

  it("checks the token before anything else: an unknown route is still 401", async () => {
    await expectError(await call("/commands/nope/x/y", { method: "POST", body: "{}" }), 401, "unauthorized");
  });
});

describe("404", () => {
  it("unknown_aggregate for a command to an aggregate that does not exist", async () => {
    await expectError(await command("invoice", "i-1", "open", openAccount()), 404, "unknown_aggregate");
    await expectError(await call("/streams/invoice/i-1", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }), 404, "unknown_aggregate");
  });

  it("unknown_command for a command the aggregate does not have, storing nothing", async () => {
    await expectError(await command("account", "nf-1", "refund", {}), 404, "unknown_command");
    await expectNeverWritten("nf-1");
  });

  it("unknown_command leaves an existing stream unchanged", async () => {
    const unchanged = await existingAccount("nf-2");
    await expectError(await command("account", "nf-2", "explode", {}), 404, "unknown_command");
    await unchanged();
  });

  it("not_found for GET /streams of a stream never written, without creating it", async () => {
    await expectError(await call("/streams/account/never-written", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }), 404, "not_found");
    await expectNeverWritten("never-written");
  });
});

describe("409 version_conflict", () => {
  it("reports expected and actual and leaves the stream unchanged", async () => {
    const unchanged = await existingAccount("vc-1");
    const body = await expectError(
      await command("account", "vc-1", "deposit", { amount: 300 }, { "If-Match": '"5"' }),
      409,
      "version_conflict",
    );
    expect(body).toMatchObject({ expected: 5, actual: 1 });
    await unchanged();
  });

  it("a stale If-Match on a never-written stream creates nothing", async () => {
    const body = await expectError(await command("account", "vc-2", "open", openAccount(), { "If-Match": '"1"' }), 409, "version_conflict");
    expect(body).toMatchObject({ expected: 1, actual: 0 });
    await expectNeverWritten("vc-2");
  });
});

describe("413 payload_too_large", () => {
  const big = (bytes: number) => ({ owner: "c-1", labels: ["savings"], padding: "x".repeat(bytes) });

  it("refuses a body over 64 KiB and stores nothing", async () => {
    const body = big(64 * 1024);
    expect(JSON.stringify(body).length).toBeGreaterThan(64 * 1024);
    await expectError(await command("account", "big-1", "open", body), 413, "payload_too_large");
    await expectNeverWritten("big-1");
  });

  it("refuses it on an existing stream too, leaving it unchanged", async () => {
    const unchanged = await existingAccount("big-2");
    await expectError(await command("account", "big-2", "deposit", { amount: 1, memo: "x".repeat(70_000) }), 413, "payload_too_large");
    await unchanged();
  });

  it("refuses an oversized body sent without Content-Length (streamed)", async () => {
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"owner":"c-1","padding":"'));
        for (let i = 0; i < 5; i++) controller.enqueue(chunk);
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const response = await call("/commands/account/big-3/open", {
      method: "POST",
      headers: { Authorization: `Bearer ${API_TOKEN}`, "Content-Type": "application/json" },
      body: stream,
    });
    await expectError(response, 413, "payload_too_large");
    await expectNeverWritten("big-3");
  });
});

describe("422 rejected", () => {
  it("a deposit to an account never opened is rejected with its reason, creating no stream", async () => {
    const body = await expectError(await command("account", "rj-1", "deposit", { amount: 450 }), 422, "rejected");
    expect(body.reason).toBe("account_not_open");
    await expectNeverWritten("rj-1");
  });

  it("opening an account twice is rejected and leaves the stream unchanged", async () => {
    const unchanged = await existingAccount("rj-2");
    const body = await expectError(await command("account", "rj-2", "open", openAccount()), 422, "rejected");
    expect(body.reason).toBe("account_already_open");
    await unchanged();
  });

  it("a rejected command does not burn its Idempotency-Key: the same key succeeds once the rules allow it", async () => {
    const key = { "Idempotency-Key": "rj-3-deposit" };
    expect((await command("account", "rj-3", "deposit", { amount: 300 }, key)).status).toBe(422);
    await command("account", "rj-3", "open", openAccount());
    const retried = await command("account", "rj-3", "deposit", { amount: 300 }, key);
    expect(retried.status).toBe(200);
    expect((await json(retried)).version).toBe(2);
  });
});

describe("422 idempotency_key_reuse", () => {
  it("refuses a key reused for a different payload and leaves the stream unchanged", async () => {
    const key = { "Idempotency-Key": "reuse-1" };
    expect((await command("account", "ik-1", "open", openAccount(), key)).status).toBe(200);
    const unchanged = async () => {
      const { body } = await readStream("account", "ik-1");
      expect(body.version).toBe(1);
    };
    const body = await expectError(
      await command("account", "ik-1", "open", openAccount("c-2"), key),
      422,
      "idempotency_key_reuse",
    );
    expect(body.message).toContain("reuse-1");
    await unchanged();
  });
});

describe("400 invalid_header", () => {
  it.each([['"abc"'], ['"-1"'], ['"1.5"'], ["*"], ['"01"']])("refuses If-Match %s and stores nothing", async (ifMatch) => {
    await expectError(await command("account", "hdr-1", "open", openAccount(), { "If-Match": ifMatch }), 400, "invalid_header");
    await expectNeverWritten("hdr-1");
  });

  it("refuses an Idempotency-Key that is not printable ASCII", async () => {
    await expectError(await command("account", "hdr-2", "open", openAccount(), { "Idempotency-Key": "a".repeat(201) }), 400, "invalid_header");
    await expectNeverWritten("hdr-2");
  });
});
