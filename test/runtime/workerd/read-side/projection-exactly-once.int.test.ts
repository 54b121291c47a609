import { beforeAll, describe, expect, it, vi } from "vitest";
import type { EventEnvelope } from "../../../../src/runtime/envelope";
import { runCommand } from "../../../support/api-client";
import { CapturedEvents } from "../../../support/captured-events";
import { BALANCES, PROJECTION_QUEUES, STATEMENT } from "../../fixture/support";
import { deliver, deliverInOrder } from "../../fixture/support/delivery";
import { dumpReadModel, resetReadModel } from "../../fixture/support/read-model";
import { SeededRandom } from "../../../support/seeded-random";

// Queues deliver at least once, in any order, in batches of any size. Whatever they do, the
// views must end byte-identical to applying every event once, in order.
const TRIALS = 40;
const CONCURRENT_TRIALS = 15;
const FIRST_SEED = 20_260_401;

const captured = new CapturedEvents();
let streams: Record<string, EventEnvelope[]>;
let baseline: string;

/** Three accounts and two payments, through the real commands: the events users' traffic makes. */
async function buildStreams(): Promise<void> {
  await captured.install("account/xa", "account/xb", "account/xc", "payment/xp-a", "payment/xp-c");
  await runCommand("account/xa/open", { owner: "xo-1", labels: ["current"] });
  await runCommand("account/xb/open", { owner: "xo-1" });
  await runCommand("payment/xp-a/send", { accountId: "xa", amount: 500 });
  await runCommand("account/xa/deposit", { amount: 200 });
  await runCommand("account/xc/open", { owner: "xo-2" });
  await runCommand("account/xa/withdraw", { amount: 50 });
  await runCommand("account/xb/deposit", { amount: 300, memo: "gift" });
  await runCommand("account/xc/deposit", { amount: 1000 });
  await runCommand("account/xa/deposit", { amount: 120, memo: "refund" });
  await runCommand("account/xc/withdraw", { amount: 400 });
  await runCommand("account/xb/withdraw", { amount: 300 });
  await runCommand("account/xb/close");
  await runCommand("payment/xp-c/send", { accountId: "xc", amount: 250 });
  await runCommand("account/xc/deposit", { amount: 99 });
  await runCommand("account/xa/withdraw", { amount: 70 });
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
    // 13 account events go to both views; the 2 payments to the statement only.
    expect(streams[BALANCES]).toHaveLength(13);
    expect(streams[STATEMENT]).toHaveLength(15);
    const parsed = JSON.parse(baseline) as Record<string, unknown[]>;
    expect(parsed.fixture_balances).toHaveLength(3);
    expect(parsed.fixture_statement_lines).toHaveLength(11);
    expect(parsed.projection_checkpoints).toHaveLength(8);
    expect(parsed.fixture_balances).toContainEqual({ id: "xa", owner: "xo-1", status: "open", balance: 200 - 50 + 120 - 70, version: 5 });
    expect(parsed.fixture_balances).toContainEqual({ id: "xb", owner: "xo-1", status: "closed", balance: 0, version: 4 });
    expect(parsed.fixture_statement_lines).toContainEqual({ stream_id: "payment/xp-c", version: 1, account_id: "xc", kind: "payment-sent", amount: 250 });
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
