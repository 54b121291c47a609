import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { EventEnvelope } from "../../../../src/runtime/envelope";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { rows } from "../../../support/read-model";
import { BALANCES } from "../../fixture/support";
import { deliver } from "../../fixture/support/delivery";
import { fixtureEnv } from "../../fixture/support/worker";
import worker from "../../fixture/worker";

// A message the projector gave up on reaches the projection's dead-letter queue; its consumer
// parks it in D1 with the error that made the projector give up, visible to operators.
const DEAD_LETTER_QUEUE = "fixture-balances-dlq";

/** A row the AccountOpened insert will collide with: the projection fails on this stream every time. */
const STRAY_ROW = { id: "dl-poison", owner: "stray", status: "open", balance: 9, version: 0 };

describe("dead-letter queue consumer", () => {
  const captured = new CapturedEvents();
  let opened: EventEnvelope;

  beforeAll(async () => {
    await captured.install("account/dl-poison");
    await runCommand("account/dl-poison/open", { owner: "c-dlq" });
    [opened] = captured.streamSentTo(BALANCES, "account/dl-poison") as [EventEnvelope];
    await fixtureEnv.READ_DB.prepare("INSERT INTO fixture_balances (id, owner, status, balance, version) VALUES (?, ?, ?, ?, ?)")
      .bind(STRAY_ROW.id, STRAY_ROW.owner, STRAY_ROW.status, STRAY_ROW.balance, STRAY_ROW.version)
      .run();
  });

  it("records why a stream's messages failed while they are retried", async () => {
    const { retried, ids } = await deliver(BALANCES, [opened]);
    expect(retried).toEqual(ids);
    const [failure] = await rows<{ version: number; error: string }>("SELECT version, error FROM projection_errors WHERE projection = 'balances' AND stream_id = 'account/dl-poison'");
    expect(failure?.version).toBe(1);
    expect(failure?.error).toMatch(/UNIQUE constraint failed/);
  });

  it("parks a dead letter in D1 with its body and that error, and acks it", async () => {
    const { result, acked, ids } = await deliver(DEAD_LETTER_QUEUE, [opened]);
    expect(acked).toEqual(ids);
    expect(result.retryMessages).toEqual([]);
    const parked = await rows<{ message_id: string; projection: string; stream_id: string; version: number; body: string; error: string }>(
      "SELECT * FROM dead_letters WHERE projection = 'balances' AND stream_id = 'account/dl-poison'",
    );
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ message_id: ids[0], stream_id: "account/dl-poison", version: 1 });
    expect(JSON.parse(parked[0]!.body)).toEqual(opened);
    expect(parked[0]!.error).toMatch(/UNIQUE constraint failed/);
  });

  it("parks a redelivered dead letter once", async () => {
    const [first] = await rows<{ message_id: string }>("SELECT message_id FROM dead_letters WHERE stream_id = 'account/dl-poison'");
    // Queues are at-least-once: the DLQ consumer may see the same message id again.
    const batch = createMessageBatch(DEAD_LETTER_QUEUE, [{ id: first!.message_id, timestamp: new Date(), attempts: 2, body: opened }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, fixtureEnv, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual([first!.message_id]);
    expect(await rows("SELECT message_id FROM dead_letters WHERE stream_id = 'account/dl-poison'")).toHaveLength(1);
  });

  it("leaves the view and checkpoint untouched", async () => {
    expect(await rows("SELECT * FROM fixture_balances WHERE id = 'dl-poison'")).toEqual([STRAY_ROW]);
    expect(await rows("SELECT * FROM projection_checkpoints WHERE stream_id = 'account/dl-poison'")).toEqual([]);
  });
});
