import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WranglerDev } from "../../../scripts/wrangler-dev.mjs";
import { ADMIN_TOKEN, API_TOKEN, startFixtureDev } from "./fixture-dev";

// The runtime fixture under a real `wrangler dev`: one traceparent sent with a command is found,
// by its trace id, in the process's own output (the command's line and each projector's batch
// line, written by the Durable Object and the queue consumers) and on the event's metadata.
const API = { Authorization: `Bearer ${API_TOKEN}`, "Content-Type": "application/json" };
const ADMIN = { Authorization: `Bearer ${ADMIN_TOKEN}` };
const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
let dev: WranglerDev;

beforeAll(async () => {
  dev = await startFixtureDev({ logLevel: "log" });
});

afterAll(async () => {
  await dev?.stop();
});

/** The JSON lines the Worker has written so far that mention `needle`. */
function linesWith(needle: string): Record<string, any>[] {
  return dev
    .logs()
    .split("\n")
    .filter((line) => line.includes(needle))
    .flatMap((line) => {
      const start = line.indexOf("{");
      if (start === -1) return [];
      try {
        return [JSON.parse(line.slice(start)) as Record<string, any>];
      } catch {
        return [];
      }
    });
}

async function waitForLine(needle: string, where: (line: Record<string, any>) => boolean): Promise<Record<string, any>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = linesWith(needle).find(where);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no line with ${needle} matched; output:\n${dev.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("following one request by its trace id through wrangler dev's output", () => {
  it("finds the command's line, the event's metadata and each projector's batch line", async () => {
    const response = await fetch(`${dev.url}/commands/account/e2e-trace/open`, {
      method: "POST",
      headers: { ...API, traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01` },
      body: JSON.stringify({ owner: "e2e" }),
    });
    expect(response.status).toBe(200);
    const traceparent = response.headers.get("traceparent");
    expect(traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));

    expect(await waitForLine(TRACE_ID, (l) => l.event === "command")).toMatchObject({ outcome: "accepted", streamId: "account/e2e-trace", traceparent });
    const stream = (await (await fetch(`${dev.url}/streams/account/e2e-trace`, { headers: ADMIN })).json()) as { events: { metadata: Record<string, string> }[] };
    expect(stream.events[0]!.metadata.traceparent).toBe(traceparent);
    for (const subscriber of ["balances", "statement"]) {
      expect(await waitForLine(TRACE_ID, (l) => l.event === "projector.batch" && l.subscriber === subscriber)).toMatchObject({ applied: 1, traceIds: [TRACE_ID] });
    }
  });

  it("starts a trace for a command that brings none, and follows it the same way", async () => {
    const response = await fetch(`${dev.url}/commands/account/e2e-untraced/open`, { method: "POST", headers: API, body: JSON.stringify({ owner: "e2e" }) });
    expect(response.status).toBe(200);
    const traceId = response.headers.get("traceparent")!.split("-")[1]!;
    expect(await waitForLine(traceId, (l) => l.event === "command")).toMatchObject({ streamId: "account/e2e-untraced" });
    await waitForLine(traceId, (l) => l.event === "projector.batch" && l.subscriber === "balances");
  });
});
