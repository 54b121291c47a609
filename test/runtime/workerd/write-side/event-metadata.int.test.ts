import { describe, expect, it } from "vitest";
import { openAccount } from "../../fixture/support";
import { command, json, readStream, storedRows } from "../../../support/http";

// Caller-supplied metadata: X-Event-Metadata fields ride on every event of the command.

describe("X-Event-Metadata", () => {
  it("copies the caller's string fields onto every event's metadata", async () => {
    const response = await command("account", "meta-1", "open", openAccount(), { "X-Event-Metadata": '{"tenant":"acme","channel":"web"}' });
    expect(response.status).toBe(200);
    const { body } = await readStream("account", "meta-1");
    expect(body.events[0].metadata).toMatchObject({ tenant: "acme", channel: "web" });
  });

  it("refuses, naming them, keys the runtime owns on the envelope or in metadata, and stores nothing", async () => {
    const response = await command("account", "meta-2", "open", openAccount(), {
      "Idempotency-Key": "meta-2-key",
      "X-Event-Metadata": '{"eventId":"forged","commandId":"forged","recordedAt":"1970-01-01T00:00:00Z","note":"kept"}',
    });
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ error: "invalid_header", keys: ["eventId", "commandId", "recordedAt"] });
    expect(await storedRows("account", "meta-2")).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it.each([
    ["not JSON", "{tenant: acme}"],
    ["an array", '["acme"]'],
    ["a non-string value", '{"tenant":1}'],
    ["a key that is not an identifier", '{"ten ant":"acme"}'],
    ["more than 16 fields", JSON.stringify(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])))],
  ])("refuses %s with 400 invalid_header and stores nothing", async (_case, header) => {
    const response = await command("account", "meta-bad", "open", openAccount(), { "X-Event-Metadata": header });
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ error: "invalid_header", message: expect.stringContaining("X-Event-Metadata") });
    expect(await storedRows("account", "meta-bad")).toEqual({ streams: 0, events: 0, commands: 0 });
  });
});
