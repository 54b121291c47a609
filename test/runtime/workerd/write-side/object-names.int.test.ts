import { describe, expect, it } from "vitest";
import type { CommandRequest } from "../../../../src/runtime/aggregate-object";
import { RESERVED_METADATA_KEYS } from "../../../../src/runtime/envelope";
import { openAccount } from "../../fixture/support";
import { objectOf, readStream, storedRows } from "../../../support/http";

// The aggregate object trusts no name it is given, whoever calls it (the HTTP edge, a process
// manager, a direct RPC): prototype names are unknown names, and caller metadata can never set
// a field the runtime owns.

const PROTOTYPE_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"];

const execute = (id: string, request: Omit<CommandRequest, "id">) => objectOf(request.aggregate, id).execute({ id, ...request });

describe("names from outside, at the object", () => {
  it.each(PROTOTYPE_NAMES)("answers 404 unknown_command for the command %s and stores nothing", async (name) => {
    const id = `names-cmd-${name.replaceAll("_", "")}`;
    const outcome = await execute(id, { aggregate: "account", command: name, payload: {}, commandId: `${id}-1` });
    expect(outcome).toMatchObject({ ok: false, status: 404, body: { error: "unknown_command" } });
    expect(await storedRows("account", id)).toEqual({ streams: 0, events: 0, commands: 0 });
  });

  it.each(PROTOTYPE_NAMES)("answers 404 unknown_aggregate for the aggregate %s", async (name) => {
    const outcome = await execute("names-agg-1", { aggregate: name, command: "open", payload: openAccount(), commandId: "names-agg-1" });
    expect(outcome).toMatchObject({ ok: false, status: 404, body: { error: "unknown_aggregate" } });
  });
});

describe("caller metadata at the object", () => {
  it("drops every reserved key, even sent straight to the object, and keeps the caller's own", async () => {
    const id = "names-meta-1";
    const forged = Object.fromEntries([...RESERVED_METADATA_KEYS].map((key) => [key, "forged"]));
    const outcome = await execute(id, { aggregate: "account", command: "open", payload: openAccount(), commandId: `${id}-cmd`, metadata: { ...forged, tenant: "acme" } });
    expect(outcome.ok).toBe(true);
    const [event] = (await readStream("account", id)).body.events;
    expect(event.metadata).toEqual({
      tenant: "acme",
      commandId: `${id}-cmd`,
      correlationId: `${id}-cmd`,
      causationId: `${id}-cmd`,
      // Sent straight to the object without an actor: the runtime's internal one, never the forged value.
      actor: "edge-cqrs:internal",
      recordedAt: expect.not.stringContaining("forged"),
      // Sent without a trace: the object starts one, never the forged value.
      traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
    });
    expect(event).toMatchObject({ streamId: `account/${id}`, aggregateId: id, aggregate: "account", version: 1 });
    expect(event.eventId).not.toBe("forged");
  });
});

describe("test seams", () => {
  it.each(["useQueueSender", "flushOutbox"])("%s cannot be called over RPC", async (name) => {
    const stub = objectOf("account", "names-seams-1") as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const answer = await stub[name]!().then(
      () => "called",
      (error: unknown) => String(error),
    );
    expect(answer).toMatch(/does not implement/);
  });
});
