import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openAccount } from "../../fixture/support";
import { postCommand, runCommand } from "../../../support/api-client";
import { json, readStream } from "../../../support/http";
import { LogLines } from "../../../support/log-lines";

// One W3C traceparent follows a command from its HTTP request to the views: the command's log
// line, its events' metadata, and the log line of every projector batch that applied them.

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const TRACEPARENT_PATTERN = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

const logs = new LogLines();
beforeEach(() => logs.install());
afterEach(() => logs.restore());

/** The trace id and span id of a traceparent value the runtime wrote. */
function partsOf(traceparent: string | null | undefined): { traceId: string; spanId: string } {
  const match = TRACEPARENT_PATTERN.exec(traceparent ?? "");
  if (!match) throw new Error(`not a version-00 traceparent: ${traceparent}`);
  return { traceId: match[1]!, spanId: match[2]! };
}

/** Waits for the batch line of `subscriber` that applied events of `traceId`. */
const appliedBy = (subscriber: string, traceId: string) =>
  logs.waitFor("projector.batch", (line) => line.subscriber === subscriber && line.traceIds.includes(traceId) && line.applied > 0);

describe("a traceparent sent with a command", () => {
  it("is on the command's log line, on its event's metadata and on the log line of each projector batch that applied the event", async () => {
    const response = await postCommand("account/trace-1/open", openAccount(), { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` });
    expect(response.status).toBe(200);

    // The command runs in a span of its own, under the caller's, in the caller's trace.
    const traceparent = response.headers.get("traceparent");
    const { traceId, spanId } = partsOf(traceparent);
    expect(traceId).toBe(TRACE_ID);
    expect(spanId).not.toBe(CALLER_SPAN);

    const [line] = logs.of("command", (l) => l.streamId === "account/trace-1");
    expect(line).toMatchObject({ level: "info", outcome: "accepted", command: "open", version: 1, events: 1, traceId: TRACE_ID, traceparent });

    const { body } = await readStream("account", "trace-1");
    expect(body.events[0].metadata.traceparent).toBe(traceparent);

    // Both projections consume the event from their own queues.
    expect(await appliedBy("balances", TRACE_ID)).toMatchObject({ kind: "projection", queue: "fixture-balances", failedStreams: 0 });
    expect(await appliedBy("statement", TRACE_ID)).toMatchObject({ kind: "projection", queue: "fixture-statement" });
  });

  it("carries on through a process manager: the command it issues has the same trace id and a span of its own", async () => {
    await runCommand("account/trace-2/open", openAccount());
    const response = await postCommand("payment/trace-p2/send", { accountId: "trace-2", amount: 300 }, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` });
    expect(response.status).toBe(200);
    const payment = partsOf(response.headers.get("traceparent"));

    expect(await appliedBy("crediting", TRACE_ID)).toMatchObject({ kind: "process-manager", applied: 1 });
    const deposit = await logs.waitFor("command", (l) => l.streamId === "account/trace-2" && l.command === "deposit");
    expect(deposit).toMatchObject({ outcome: "accepted", traceId: TRACE_ID, causationId: expect.any(String), commandId: expect.stringMatching(/^edge-cqrs:pm:crediting:/) });
    expect(deposit.spanId).not.toBe(payment.spanId);

    const { body } = await readStream("account", "trace-2");
    const deposited = body.events.find((e: { type: string }) => e.type === "Deposited");
    expect(deposited.metadata.traceparent).toBe(deposit.traceparent);
    // …and so the account's views log the payment's trace too.
    await appliedBy("balances", TRACE_ID);
  });
});

describe("a traceparent through a stateful process manager", () => {
  it("reaches the commands a deadline set by the traced event issues, each in a span of its own", async () => {
    await runCommand("account/trace-s3/open", openAccount());
    const confirmBy = new Date(Date.now() + 1_000).toISOString();
    const response = await postCommand("payment/trace-ps3/send", { accountId: "trace-s3", amount: 200, confirmBy }, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` });
    expect(response.status).toBe(200);
    const payment = partsOf(response.headers.get("traceparent"));

    // The settlement instance set a timer on the traced event; when it fires, its commands carry the trace on.
    const expire = await logs.waitFor("command", (l) => l.streamId === "payment/trace-ps3" && l.command === "expire");
    const withdraw = await logs.waitFor("command", (l) => l.streamId === "account/trace-s3" && l.command === "withdraw");
    for (const line of [expire, withdraw]) {
      expect(line).toMatchObject({ outcome: "accepted", traceId: TRACE_ID, commandId: expect.stringMatching(/^edge-cqrs:pm:settlement:/) });
      expect(line.spanId).not.toBe(payment.spanId);
    }
    expect(expire.spanId).not.toBe(withdraw.spanId);
  });
});

describe("a command without a traceparent", () => {
  it("starts a trace, answers it, and is followed by it like any other", async () => {
    const response = await postCommand("account/trace-3/open", openAccount());
    expect(response.status).toBe(200);
    const traceparent = response.headers.get("traceparent");
    const { traceId } = partsOf(traceparent);

    expect(logs.of("command", (l) => l.streamId === "account/trace-3")[0]).toMatchObject({ traceId, traceparent });
    expect((await readStream("account", "trace-3")).body.events[0].metadata.traceparent).toBe(traceparent);
    await appliedBy("balances", traceId);
  });
});

describe("an invalid traceparent", () => {
  it.each([
    ["not a traceparent", "hello"],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${CALLER_SPAN}-01`],
    ["an all-zero parent id", `00-${TRACE_ID}-${"0".repeat(16)}-01`],
    ["upper-case hex", `00-${TRACE_ID.toUpperCase()}-${CALLER_SPAN}-01`],
    ["the forbidden version ff", `ff-${TRACE_ID}-${CALLER_SPAN}-01`],
    ["version 00 with an extra field", `00-${TRACE_ID}-${CALLER_SPAN}-01-extra`],
  ])("(%s) is ignored: the command succeeds in a new trace", async (_case, header) => {
    const id = `tr-bad-${Math.random().toString(36).slice(2, 8)}`;
    const response = await postCommand(`account/${id}/open`, openAccount(), { traceparent: header });
    expect(response.status).toBe(200);
    const traceparent = response.headers.get("traceparent");
    expect(partsOf(traceparent).traceId).not.toBe(TRACE_ID);
    expect((await readStream("account", id)).body.events[0].metadata.traceparent).toBe(traceparent);
  });
});

describe("refused commands", () => {
  it("answer the traceparent too, and their log line names the outcome", async () => {
    await runCommand("account/trace-4/open", openAccount());
    const rejected = await postCommand("account/trace-4/withdraw", { amount: 5 }, { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-00` });
    expect(rejected.status).toBe(422);
    // The sampled flag is the caller's to decide; the runtime passes it on.
    expect(rejected.headers.get("traceparent")).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
    expect(logs.of("command", (l) => l.streamId === "account/trace-4" && l.command === "withdraw")[0]).toMatchObject({
      outcome: "rejected",
      error: "rejected",
      reason: "insufficient_funds",
      status: 422,
      traceId: TRACE_ID,
    });

    const conflict = await postCommand("account/trace-4/deposit", { amount: 5 }, { "If-Match": '"7"' });
    expect(conflict.status).toBe(409);
    expect(logs.of("command", (l) => l.streamId === "account/trace-4" && l.command === "deposit")[0]).toMatchObject({
      outcome: "conflict",
      error: "version_conflict",
      expectedVersion: 7,
      version: 1,
      traceId: partsOf(conflict.headers.get("traceparent")).traceId,
    });

    const invalid = await postCommand("account/trace-4/deposit", { amount: -1 });
    expect(invalid.status).toBe(400);
    expect(logs.of("command", (l) => l.streamId === "account/trace-4" && l.outcome === "invalid")[0]).toMatchObject({ level: "info", error: "invalid_command" });
  });

  it("refused at the HTTP edge, before reaching the aggregate, are logged there under the trace they answer", async () => {
    const response = await postCommand("account/trace-7/open", "{not json", { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` });
    expect(response.status).toBe(400);
    const { spanId } = partsOf(response.headers.get("traceparent"));
    expect(logs.of("command", (l) => l.spanId === spanId)).toEqual([
      expect.objectContaining({ level: "info", outcome: "invalid", refusedAt: "edge", streamId: "account/trace-7", command: "open", error: "invalid_json", status: 400, traceId: TRACE_ID }),
    ]);
  });

  it("a replayed command is logged as an idempotent replay, and its events keep the first request's trace", async () => {
    const first = await postCommand("account/trace-5/open", openAccount(), { "Idempotency-Key": "trace-5-open" });
    const again = await postCommand("account/trace-5/open", openAccount(), { "Idempotency-Key": "trace-5-open" });
    expect(again.status).toBe(200);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(logs.of("command", (l) => l.streamId === "account/trace-5").map((l) => l.outcome)).toEqual(["accepted", "idempotent-replay"]);
    expect((await readStream("account", "trace-5")).body.events[0].metadata.traceparent).toBe(first.headers.get("traceparent"));
  });
});

describe("the events' traceparent is the runtime's", () => {
  it("cannot be set through X-Event-Metadata", async () => {
    const response = await postCommand("account/trace-6/open", openAccount(), { "X-Event-Metadata": JSON.stringify({ traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` }) });
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ error: "invalid_header", keys: ["traceparent"] });
  });
});
