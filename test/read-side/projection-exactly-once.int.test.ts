import { beforeAll, describe, expect, it, vi } from "vitest";
import type { EventEnvelope } from "../../src/runtime/envelope";
import { runCommand } from "../support/api-client";
import { CapturedEvents } from "../support/captured-events";
import { deliver, deliverInOrder, PROJECTION_QUEUES } from "../support/queue-delivery";
import { dumpReadModel, resetReadModel } from "../support/read-model";
import { SeededRandom } from "../support/seeded-random";

// Queues deliver at least once, in any order, in batches of any size. Whatever they do, the
// views must end byte-identical to applying every event once, in order.
const TRIALS = 40;
const CONCURRENT_TRIALS = 15;
const FIRST_SEED = 20_260_401;

const captured = new CapturedEvents();
let streams: Record<string, EventEnvelope[]>;
let baseline: string;

/** Three orders and two deliveries, through the real commands: the events users' traffic makes. */
async function buildStreams(): Promise<void> {
  await captured.install("order/xo-a", "order/xo-b", "order/xo-c", "delivery/xd-a", "delivery/xd-c");
  await runCommand("order/xo-a/place", { customerId: "xc-1", items: [{ sku: "tea", quantity: 2, unitPrice: 450 }, { sku: "mug", quantity: 1, unitPrice: 1200 }] });
  await runCommand("order/xo-b/place", { customerId: "xc-1", items: [{ sku: "cake", quantity: 3, unitPrice: 300 }] });
  await runCommand("delivery/xd-a/schedule", { orderId: "xo-a", address: "1 Tea Lane" });
  await runCommand("order/xo-a/add-item", { sku: "spoon", quantity: 4, unitPrice: 150 });
  await runCommand("order/xo-c/place", {
    customerId: "xc-2",
    items: [{ sku: "pen", quantity: 10, unitPrice: 99 }, { sku: "ink", quantity: 1, unitPrice: 700 }, { sku: "pad", quantity: 2, unitPrice: 250 }],
  });
  await runCommand("order/xo-a/add-item", { sku: "tea", quantity: 1, unitPrice: 450 });
  await runCommand("order/xo-b/add-item", { sku: "jam", quantity: 1, unitPrice: 520 });
  await runCommand("order/xo-c/remove-item", { sku: "pen" });
  await runCommand("order/xo-a/remove-item", { sku: "mug" });
  await runCommand("order/xo-c/add-item", { sku: "pen", quantity: 5, unitPrice: 99 });
  await runCommand("order/xo-b/cancel", { reason: "changed my mind" });
  await runCommand("delivery/xd-c/schedule", { orderId: "xo-c", address: "2 Ink Road" });
  await runCommand("delivery/xd-a/pick-up");
  await runCommand("order/xo-a/ship");
  await runCommand("delivery/xd-c/pick-up");
  await runCommand("order/xo-c/ship");
  await runCommand("delivery/xd-a/deliver");
  await runCommand("order/xo-a/mark-delivered");
  await runCommand("delivery/xd-c/fail", { reason: "nobody home" });
  streams = Object.fromEntries(PROJECTION_QUEUES.map((queue) => [queue, captured.sentTo(queue)]));
}

/** Each message once or twice, shuffled, cut into batches of 1-5 (a third of them singletons). */
function randomBatches(random: SeededRandom, envelopes: readonly EventEnvelope[]): EventEnvelope[][] {
  const messages = random.shuffle(envelopes.flatMap((e) => (random.next() < 0.4 ? [e, e] : [e])));
  const batches: EventEnvelope[][] = [];
  for (let i = 0; i < messages.length; ) {
    const size = random.next() < 0.33 ? 1 : random.int(2, 5);
    batches.push(messages.slice(i, i + size));
    i += size;
  }
  return batches;
}

/** Every batch of both queues, the queues' batches interleaved at random. */
function randomSchedule(random: SeededRandom): { queue: string; bodies: EventEnvelope[] }[] {
  const pending = PROJECTION_QUEUES.map((queue) => ({ queue, batches: randomBatches(random, streams[queue]!) }));
  const schedule: { queue: string; bodies: EventEnvelope[] }[] = [];
  for (let left = pending.filter((p) => p.batches.length > 0); left.length > 0; left = left.filter((p) => p.batches.length > 0)) {
    const pick = left[random.int(0, left.length - 1)]!;
    schedule.push({ queue: pick.queue, bodies: pick.batches.shift()! });
  }
  return schedule;
}

describe("projections apply every event exactly once", () => {
  beforeAll(async () => {
    await buildStreams();
    await resetReadModel();
    for (const queue of PROJECTION_QUEUES) await deliverInOrder(queue, streams[queue]!);
    baseline = await dumpReadModel();
  });

  it("captured a realistic history for both views", () => {
    for (const queue of PROJECTION_QUEUES) expect(streams[queue]).toHaveLength(19);
    const parsed = JSON.parse(baseline) as Record<string, unknown[]>;
    expect(parsed.order_details).toHaveLength(3);
    expect(parsed.order_details_deliveries).toHaveLength(2);
    expect(parsed.projection_checkpoints).toHaveLength(10);
    expect(parsed.order_details).toContainEqual(expect.objectContaining({ id: "xo-a", status: "delivered", version: 6 }));
    expect(parsed.order_history).toContainEqual(expect.objectContaining({ id: "xo-a", total: 3 * 450 + 4 * 150, item_count: 7 }));
  });

  it(`converges to the in-order view under ${TRIALS} random permutations, duplicates and batchings`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const seed = FIRST_SEED + trial;
      const random = new SeededRandom(seed);
      await resetReadModel();
      for (const { queue, bodies } of randomSchedule(random)) {
        const { retried } = await deliver(queue, bodies);
        expect(retried, `seed ${seed}: ${queue} retried messages though nothing failed`).toEqual([]);
      }
      expect(await dumpReadModel(), `seed ${seed}: views differ from the in-order baseline`).toBe(baseline);
    }
  });

  it(`converges when batches race each other (${CONCURRENT_TRIALS} seeds, retried messages redelivered)`, async () => {
    // Every lost race is logged by the runner; here they are expected.
    vi.spyOn(console, "error").mockImplementation(() => {});
    for (let trial = 0; trial < CONCURRENT_TRIALS; trial++) {
      const seed = FIRST_SEED + 1_000 + trial;
      const random = new SeededRandom(seed);
      await resetReadModel();
      let schedule = randomSchedule(random);
      // Lost races are retried by the consumer; keep redelivering them, as Queues would.
      for (let round = 0; schedule.length > 0; round++) {
        expect(round, `seed ${seed}: messages still retried after ${round} rounds`).toBeLessThan(20);
        const retriedBodies: { queue: string; bodies: EventEnvelope[] }[] = [];
        for (let i = 0; i < schedule.length; i += 3) {
          const wave = schedule.slice(i, i + 3);
          const results = await Promise.all(wave.map(({ queue, bodies }) => deliver(queue, bodies)));
          results.forEach((r, w) => {
            const bodies = wave[w]!.bodies.filter((_, m) => r.retried.includes(r.ids[m]!));
            if (bodies.length > 0) retriedBodies.push({ queue: wave[w]!.queue, bodies });
          });
        }
        schedule = retriedBodies;
      }
      expect(await dumpReadModel(), `seed ${seed}: views differ from the in-order baseline`).toBe(baseline);
    }
    vi.restoreAllMocks();
  });
});
