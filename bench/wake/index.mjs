// Wake-up cost (issue item 5): the time to the first answer from an object that is not in memory,
// for streams of each length, with snapshots (every 100 events, the default) and without. The
// streams are seeded once through commands that append 100 events each; then, each round,
// `wrangler dev` restarts on the same persisted state, so every object starts cold, and each is
// read once cold and once warm. Memory: workerd's resident set growth while the object wakes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startWranglerDev } from "../../scripts/wrangler-dev.mjs";
import { ADMIN_TOKEN, httpClient } from "../lib/http-client.mjs";
import { markdownTable } from "../lib/report.mjs";
import { median } from "../lib/stats.mjs";
import { FIXTURE } from "../projector/index.mjs";
import { peakGrowthDuring, workerdPids } from "./memory.mjs";

/** The fixture's command appends at most this many events (MAX_EVENTS_PER_COMMAND). */
const EVENTS_PER_COMMAND = 100;
/** Seeding 2 × 111,010 events takes about a minute on 2 cores; far beyond that, something is wrong. */
const SEED_SECONDS = 900;
const MODES = [
  { key: "on", aggregate: "counter", label: "snapshots every 100 events" },
  { key: "off", aggregate: "counter-nosnap", label: "no snapshots" },
];
/** The goal: with snapshots, the longest stream wakes within 2× of the shortest. */
export const GOAL_RATIO = 2;

export async function runWake(options, log) {
  const stateDir = mkdtempSync(join(tmpdir(), "edge-cqrs-wake-"));
  const id = Date.now().toString(36);
  const sizes = [...options.wakeSizes].sort((a, b) => a - b);
  const streams = sizes.flatMap((size) => MODES.map((mode) => ({ mode: mode.key, aggregate: mode.aggregate, size, id: `${id}-${size}` })));
  try {
    const seedSeconds = await seed(stateDir, streams, `${id}-warm`);
    log(`wake: seeded ${streams.length} streams (${streams.reduce((n, s) => n + s.size, 0).toLocaleString("en")} events) in ${seedSeconds.toFixed(0)} s`);
    const samples = [];
    for (let round = 1; round <= options.wakeRounds; round++) {
      const dev = await startWranglerDev({ ...FIXTURE, persistTo: stateDir });
      const client = httpClient(dev.url, 1);
      try {
        const pids = workerdPids(dev.pid);
        // The Worker, the object namespace and the read path warm up on throwaway streams first, so
        // the figures below are the objects' own; the order flips each round so no length always goes first.
        for (const mode of MODES) await client.must("GET", `/streams/${mode.aggregate}/${id}-warm?from=1&limit=1`, { token: ADMIN_TOKEN });
        for (const stream of round % 2 === 1 ? streams : [...streams].reverse()) {
          const path = `/streams/${stream.aggregate}/${stream.id}?from=${stream.size}&limit=1`;
          const cold = await peakGrowthDuring(pids, async () => {
            const t0 = performance.now();
            await client.must("GET", path, { token: ADMIN_TOKEN });
            return performance.now() - t0;
          });
          const t0 = performance.now();
          await client.must("GET", path, { token: ADMIN_TOKEN });
          const warmMs = performance.now() - t0;
          samples.push({ round, mode: stream.mode, size: stream.size, coldMs: cold.result, warmMs, peakGrowthBytes: cold.peakGrowthBytes, rssBeforeBytes: cold.beforeBytes });
          log(`wake: round ${round}, ${stream.size} events, snapshots ${stream.mode}: first answer ${cold.result.toFixed(1)} ms, then ${warmMs.toFixed(1)} ms; workerd RSS +${mib(cold.peakGrowthBytes)}`);
        }
      } finally {
        client.close();
        await dev.stop();
      }
    }
    return { seedSeconds, samples, memoryMethod: samples.some((s) => Number.isFinite(s.peakGrowthBytes)) ? "proc" : "unavailable", summary: summarise(samples, sizes) };
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Appends every stream's events through the fixture's command, 100 at a time, streams in parallel. */
async function seed(stateDir, streams, warmId) {
  const dev = await startWranglerDev({ ...FIXTURE, persistTo: stateDir });
  const client = httpClient(dev.url, streams.length);
  const started = performance.now();
  const deadline = started + SEED_SECONDS * 1_000;
  try {
    for (const mode of MODES) await client.must("POST", `/commands/${mode.aggregate}/${warmId}/append`, { body: { count: 1 } });
    await Promise.all(
      streams.map(async (stream) => {
        for (let appended = 0; appended < stream.size; appended += EVENTS_PER_COMMAND) {
          if (performance.now() > deadline) throw new Error(`wake: seeding took longer than ${SEED_SECONDS} s`);
          const count = Math.min(EVENTS_PER_COMMAND, stream.size - appended);
          await client.must("POST", `/commands/${stream.aggregate}/${stream.id}/append`, { body: { count } });
        }
      }),
    );
    return (performance.now() - started) / 1_000;
  } finally {
    client.close();
    await dev.stop();
  }
}

function summarise(samples, sizes) {
  return sizes.flatMap((size) =>
    MODES.map(({ key }) => {
      const mine = samples.filter((s) => s.size === size && s.mode === key);
      return {
        size,
        mode: key,
        coldMs: median(mine.map((s) => s.coldMs)),
        warmMs: median(mine.map((s) => s.warmMs)),
        peakGrowthBytes: median(mine.map((s) => s.peakGrowthBytes)),
      };
    }),
  );
}

const mib = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : "n/a");

export function wakeTable({ summary, memoryMethod }) {
  const rows = summary.map((s) => [
    s.size.toLocaleString("en"),
    MODES.find((m) => m.key === s.mode).label,
    `**${s.coldMs.toFixed(1)} ms**`,
    `${s.warmMs.toFixed(1)} ms`,
    mib(s.peakGrowthBytes),
  ]);
  const table = markdownTable(["events in the stream", "snapshots", "first answer, cold (median of rounds)", "next answer, warm", "workerd RSS growth during the wake"], rows);
  const ratioOf = (mode) => {
    const mine = summary.filter((s) => s.mode === mode);
    return mine.length > 1 ? mine[mine.length - 1].coldMs / mine[0].coldMs : NaN;
  };
  const on = ratioOf("on");
  const sizes = summary.filter((s) => s.mode === "on").map((s) => s.size);
  const goal = Number.isFinite(on)
    ? `With snapshots, ${sizes.at(-1).toLocaleString("en")} events wake in **${on.toFixed(2)}×** the time of ${sizes[0].toLocaleString("en")} (goal ≤ ${GOAL_RATIO}×: ${on <= GOAL_RATIO ? "met" : "**not met**"}); without, ${ratioOf("off").toFixed(2)}×.`
    : "";
  const memory = memoryMethod === "proc" ? "" : " Memory could not be read: /proc is not available on this machine.";
  return `${table}\n\n${goal}${memory}`;
}
