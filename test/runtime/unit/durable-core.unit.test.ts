import { describe, expect, it } from "vitest";
import { Backoff, SingleFlight } from "../../../src/runtime/durable-core";

describe("Backoff", () => {
  const backoff = new Backoff({ baseMs: 250, maxMs: 60_000 });

  it("starts at the base, doubles with each attempt and stops at the cap", () => {
    expect([1, 2, 3, 4, 8, 9, 30].map((n) => backoff.delayMs(n))).toEqual([250, 500, 1_000, 2_000, 32_000, 60_000, 60_000]);
  });

  it("treats an attempt below one as the first, and never overflows past the cap", () => {
    expect(backoff.delayMs(0)).toBe(250);
    expect(backoff.delayMs(-3)).toBe(250);
    expect(backoff.delayMs(5_000)).toBe(60_000);
  });

  it("rounds seconds up, so a queue retry never comes sooner than the delay", () => {
    const messages = new Backoff({ baseMs: 1_000, maxMs: 60_000 });
    expect([1, 2, 3, 7, 8].map((n) => messages.delaySeconds(n))).toEqual([1, 2, 4, 60, 60]);
    expect(new Backoff({ baseMs: 250, maxMs: 1_000 }).delaySeconds(1)).toBe(1);
  });

  it("refuses a base of zero or a cap below the base", () => {
    expect(() => new Backoff({ baseMs: 0, maxMs: 10 })).toThrow("0 < baseMs <= maxMs");
    expect(() => new Backoff({ baseMs: 10, maxMs: 5 })).toThrow("0 < baseMs <= maxMs");
  });
});

/** A pass that waits until released, recording what it was asked. */
function gatedPasses(result: "done" | "stop" = "done") {
  const asked: boolean[] = [];
  const gates: (() => void)[] = [];
  const flight = new SingleFlight<boolean>({
    pass: (force) => {
      asked.push(force);
      return new Promise((resolve) => gates.push(() => resolve(result)));
    },
    merge: (current, next) => current || next,
  });
  const releaseNext = async () => {
    while (gates.length === 0) await Promise.resolve();
    gates.shift()!();
  };
  return { flight, asked, releaseNext };
}

describe("SingleFlight", () => {
  it("runs one pass at a time and makes one more pass, merged, for everything asked meanwhile", async () => {
    const { flight, asked, releaseNext } = gatedPasses();
    const first = flight.run(false);
    expect(flight.busy).toBe(true);
    const second = flight.run(false);
    const third = flight.run(true);
    // Both requests made during the first pass join its run: the same promise, one more pass.
    expect(second).toBe(first);
    expect(third).toBe(first);
    await releaseNext();
    await releaseNext();
    await first;
    expect(asked).toEqual([false, true]);
    expect(flight.busy).toBe(false);
  });

  it("keeps a forced request forced in the passes after it", async () => {
    const { flight, asked, releaseNext } = gatedPasses();
    const run = flight.run(true);
    void flight.run(false);
    await releaseNext();
    await releaseNext();
    await run;
    expect(asked).toEqual([true, true]);
  });

  it("drops what was asked during a pass that stops: the retry is someone else's", async () => {
    const { flight, asked, releaseNext } = gatedPasses("stop");
    const run = flight.run(false);
    void flight.run(true);
    await releaseNext();
    await run;
    expect(asked).toEqual([false]);
    // A later request starts a fresh run.
    const again = flight.run(false);
    await releaseNext();
    await again;
    expect(asked).toEqual([false, false]);
  });

  it("starts a new run once the previous one ended", async () => {
    let passes = 0;
    const flight = new SingleFlight<void>({
      pass: async () => {
        passes++;
        return "done";
      },
      merge: () => undefined,
    });
    await flight.run();
    await flight.run();
    expect(passes).toBe(2);
  });
});
