import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AlarmScheduler, type AlarmJob } from "../../../../src/runtime/durable-core";
import { objectOf } from "../../../support/http";

// The one alarm both Durable Object hosts share between their jobs, on a real object's storage
// (a fresh one: its own alarm handler finds no stream and does nothing).

const HOUR_MS = 60 * 60 * 1000;

/** A job that is due at `due` (settable), and when it runs notes it in `order` and waits for nothing more. */
function job(name: string, due: number | undefined, order: string[] = []): AlarmJob & { due: number | undefined; runs: number[] } {
  return {
    name,
    due,
    runs: [],
    nextDue() {
      return this.due;
    },
    async run(now) {
      order.push(name);
      this.runs.push(now);
      this.due = undefined;
    },
  };
}

function inObject<T>(id: string, work: (storage: DurableObjectStorage) => Promise<T>): Promise<T> {
  return runInDurableObject(objectOf("account", id), (_instance, state) => work(state.storage));
}

describe("AlarmScheduler", () => {
  it("lowers the alarm to the earliest deadline asked for and never raises it", async () => {
    const alarms = await inObject("alarm-1", async (storage) => {
      const scheduler = new AlarmScheduler(storage);
      const base = Date.now() + HOUR_MS;
      const seen: (number | null)[] = [];
      for (const at of [base + 10_000, base + 20_000, base + 5_000]) {
        scheduler.ensureBy(at);
        seen.push(await storage.getAlarm());
      }
      return { base, seen };
    });
    expect(alarms.seen).toEqual([alarms.base + 10_000, alarms.base + 10_000, alarms.base + 5_000]);
  });

  it("re-arms at the earliest job's deadline, and clears the alarm when no job waits", async () => {
    const result = await inObject("alarm-2", async (storage) => {
      const scheduler = new AlarmScheduler(storage);
      const later = job("later", Date.now() + 2 * HOUR_MS);
      const sooner = job("sooner", Date.now() + HOUR_MS);
      scheduler.register(later);
      scheduler.register(sooner);
      scheduler.rearm();
      const armed = await storage.getAlarm();
      later.due = undefined;
      sooner.due = undefined;
      scheduler.rearm();
      return { armed, sooner: sooner.nextDue, cleared: await storage.getAlarm(), expected: Date.now() + HOUR_MS };
    });
    expect(result.armed).toBeGreaterThan(Date.now() + HOUR_MS - 60_000);
    expect(result.armed).toBeLessThanOrEqual(result.expected);
    expect(result.cleared).toBeNull();
  });

  it("sets a deadline in the distant past (the epoch, year 1) to now, so it fires", async () => {
    const result = await inObject("alarm-3", async (storage) => {
      const scheduler = new AlarmScheduler(storage);
      const before = Date.now();
      scheduler.register(job("ancient", Date.parse("0001-01-01T00:00:00Z")));
      scheduler.rearm();
      return { before, alarm: await storage.getAlarm() };
    });
    expect(result.alarm).not.toBeNull();
    expect(result.alarm!).toBeGreaterThanOrEqual(result.before);
  });

  it("on firing runs every job that waits, in order, skips the idle ones, and re-arms for what is left", async () => {
    const result = await inObject("alarm-4", async (storage) => {
      const scheduler = new AlarmScheduler(storage);
      const order: string[] = [];
      const first = job("first", Date.now(), order);
      const idle = job("idle", undefined, order);
      const recurring: AlarmJob & { runs: number } = {
        name: "recurring",
        runs: 0,
        nextDue: () => Date.now() + HOUR_MS,
        async run() {
          order.push("recurring");
          this.runs++;
        },
      };
      scheduler.register(first);
      scheduler.register(idle);
      scheduler.register(recurring);
      await scheduler.fire();
      return { order, idleRuns: idle.runs.length, alarm: await storage.getAlarm(), now: Date.now() };
    });
    expect(result.order).toEqual(["first", "recurring"]);
    expect(result.idleRuns).toBe(0);
    expect(result.alarm).toBeGreaterThan(result.now);
    expect(result.alarm!).toBeLessThanOrEqual(result.now + HOUR_MS);
  });
});
