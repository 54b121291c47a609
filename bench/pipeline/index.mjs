// The comparison with the bare pipeline: every system runs side by side in its own `wrangler dev`,
// and every scenario is driven on one, then the next, round after round (A/B/C/A/B/C), so slow
// drift of a shared machine lands on all. The figures that count are the ratios within a run.
import { startWranglerDev } from "../../scripts/wrangler-dev.mjs";
import { withMain } from "../lib/config-variant.mjs";
import { httpClient } from "../lib/http-client.mjs";
import { median } from "../lib/stats.mjs";
import { SCENARIOS, warmUp } from "./scenarios.mjs";

/**
 * The systems of every round, in the order they run (A/B/C/D, then again): edge-cqrs with the bare
 * pipeline's fan-out (the example's orders and its two views: the comparison the goals are about),
 * the bare pipeline, the same two-view application with its info log lines sampled out (what the
 * log line costs under `wrangler dev`), and the whole example, whose order events also go to the
 * fulfilment manager and the integration publisher (what those subscribers cost). The last two
 * are for information.
 */
export const SYSTEMS = [
  { key: "edge", name: "edge-cqrs (two views)", start: () => startWranglerDev({ config: "bench/two-views/wrangler.toml", envFile: ".dev.vars" }) },
  { key: "baseline", name: "bare pipeline", start: () => startWranglerDev({ config: "bench/baseline/wrangler.toml", envFile: ".dev.vars" }) },
  { key: "quiet", name: "edge-cqrs (two views, info log lines sampled out)", start: () => startWranglerDev({ config: withMain("bench/two-views/wrangler.toml", "quiet-worker.ts"), envFile: ".dev.vars" }) },
  { key: "example", name: "edge-cqrs (the whole example)", start: () => startWranglerDev() },
];

/** The goals, as ratios (throughput) or added milliseconds (latency) against the baseline. */
export const GOALS = { throughputRatio: 0.85, writeReadP50AddedMs: 10, writeReadP99AddedMs: 25 };

/**
 * Runs every scenario on `systems` (one of them keyed `baseline`), round after round. Each other
 * system is compared with the baseline.
 */
export async function runPipeline(options, log, systems = SYSTEMS) {
  const run = Date.now().toString(36);
  const started = [];
  try {
    for (const system of systems) {
      const dev = await system.start();
      started.push({ system, dev, client: httpClient(dev.url, options.concurrency) });
      log(`pipeline: ${system.name} listening on ${dev.url}`);
    }
    for (const { system, client } of started) await warmUp(client, `${run}-${system.key}`);
    /** @type {Record<string, Record<string, any[]>>} */
    const rounds = Object.fromEntries(SCENARIOS.map((s) => [s.key, Object.fromEntries(systems.map((system) => [system.key, []]))]));
    for (let round = 1; round <= options.rounds; round++) {
      for (const scenario of SCENARIOS) {
        for (const { system, client } of started) {
          const ctx = { ...options, prefix: `${run}-${system.key}-r${round}-${scenario.key}` };
          const figures = await scenario.run(client, ctx);
          rounds[scenario.key][system.key].push(figures);
          log(`pipeline: round ${round} ${scenario.key} on ${system.name}: ${brief(figures)}`);
        }
      }
    }
    const variants = systems.map((s) => s.key).filter((key) => key !== "baseline");
    return { rounds, summary: summarise(rounds, variants), serverLogs: Object.fromEntries(started.map(({ system, dev }) => [system.key, dev.logs()])) };
  } finally {
    for (const { client, dev } of started) {
      client.close();
      await dev.stop();
    }
  }
}

/** Medians over the rounds per system, and each edge-cqrs variant against the baseline. */
function summarise(rounds, variants) {
  const summary = {};
  for (const key of ["many", "hot", "new"]) {
    const med = (system, field) => median(rounds[key][system].map((r) => r[field]));
    const figures = (system) => ({
      perSecond: med(system, "perSecond"),
      p50: med(system, "p50"),
      p99: med(system, "p99"),
      drainMs: med(system, "drainMs"),
      errors: rounds[key][system].reduce((n, r) => n + r.errors, 0),
    });
    const baseline = figures("baseline");
    summary[key] = { baseline };
    for (const variant of variants) {
      const own = figures(variant);
      summary[key][variant] = { ...own, throughputRatio: own.perSecond / baseline.perSecond, p50Ratio: own.p50 / baseline.p50 };
    }
  }
  const rw = (system, part, q) => median(rounds.writeRead[system].map((r) => r[part][q]));
  const figures = (system) => ({
    totalP50: rw(system, "total", "p50"),
    totalP99: rw(system, "total", "p99"),
    readP50: rw(system, "read", "p50"),
    readP99: rw(system, "read", "p99"),
    errors: rounds.writeRead[system].reduce((n, r) => n + r.errors, 0),
  });
  const baseline = figures("baseline");
  summary.writeRead = { baseline };
  for (const variant of variants) {
    const own = figures(variant);
    summary.writeRead[variant] = {
      ...own,
      totalP50AddedMs: own.totalP50 - baseline.totalP50,
      totalP99AddedMs: own.totalP99 - baseline.totalP99,
      readP50AddedMs: own.readP50 - baseline.readP50,
      readP99AddedMs: own.readP99 - baseline.readP99,
    };
  }
  return summary;
}

function brief(f) {
  if (f.total) return `command+view p50 ${f.total.p50.toFixed(1)} ms, p99 ${f.total.p99.toFixed(1)} ms (n=${f.total.n}, ${f.errors} errors)`;
  return `${f.perSecond.toFixed(0)} commands/s, p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms (${f.ok} ok, ${f.errors} errors), drained in ${f.drainMs.toFixed(0)} ms`;
}
