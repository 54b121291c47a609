// What one console line costs under `wrangler dev`, against the same local dev server without an
// inspector. The runtime writes a JSON line per command (O7 and B4 in docs/decisions.md);
// `wrangler dev` enables the DevTools `Runtime` domain, so V8 turns every console call into a
// `Runtime.consoleAPICalled` message that wrangler's inspector proxy and its Node process parse
// again. The bench Worker (bench/console/worker.ts) writes N lines in one synchronous turn; each is
// timed from outside against the same loop without the console call, which is subtracted.
import { performance } from "node:perf_hooks";
import { startWranglerDev } from "../../scripts/wrangler-dev.mjs";
import { httpClient } from "../lib/http-client.mjs";
import { median } from "../lib/stats.mjs";
import { startWithoutInspector } from "../no-inspector/index.mjs";
import { cpuSpent, processTree, readCpuWhenIdle } from "./cpu.mjs";
import { consoleTable } from "./table.mjs";

export { consoleTable };

const CONFIG = "bench/console/wrangler.toml";
/**
 * console.log lines (the runtime's info lines go there) of these lengths: a short line, about the
 * runtime's `command` line (~600 bytes with its trace fields), and a long one. Not console.warn:
 * wrangler prints warnings, so the in-process server would print thousands of lines into the
 * bench's own output, and the figure would be the terminal's.
 */
const LENGTHS = [100, 600, 2_000];
/** Rounds stop after this long on one system even before BENCH_CONSOLE_ROUNDS: one round always runs. */
const SYSTEM_SECONDS = 45;

/**
 * The two servers, measured one after the other, so one's leftover work never lands on the other's
 * figures. `root` is the process the server's processes descend from: `wrangler dev`, or
 * the Node process in which `unstable_startWorker` runs wrangler's dev server (no-inspector/serve.mjs).
 */
const SERVERS = [
  { key: "inspector", name: "wrangler dev", start: () => startWranglerDev({ config: CONFIG, migrate: false }), root: (dev) => dev.pid },
  { key: "plain", name: "no inspector", start: () => startWithoutInspector(CONFIG, { migrate: false }), root: (dev) => dev.pid },
];

export async function runConsole(options, log) {
  const samples = [];
  for (const system of SERVERS) samples.push(...(await measureSystem(system, options, log)));
  return { lines: options.consoleLines, samples, summary: summarise(samples) };
}

async function measureSystem(system, options, log) {
  const dev = await system.start();
  const client = httpClient(dev.url, 1);
  const lines = options.consoleLines;
  try {
    const tree = processTree(system.root(dev));
    log(`console: ${system.name} listening on ${dev.url} (${tree.map((p) => p.name).join(", ") || "no /proc: CPU not measured"})`);
    // The first calls of each kind compile the loop and the console's paths; they are not the steady state.
    for (const length of LENGTHS) {
      await write(client, { kind: "none", length, lines });
      await write(client, { kind: "log", length, lines });
    }
    const samples = [];
    const deadline = performance.now() + SYSTEM_SECONDS * 1_000;
    for (let round = 1; round <= options.consoleRounds && (round === 1 || performance.now() < deadline); round++) {
      for (const length of LENGTHS) {
        const loop = await measure(client, tree, { kind: "none", length, lines });
        const logged = await measure(client, tree, { kind: "log", length, lines });
        const sample = {
          system: system.key,
          round,
          length,
          bytes: logged.bytes / lines,
          answeredUs: usPerLine(logged.answeredMs, loop.answeredMs, lines),
          settledUs: usPerLine(logged.settledMs, loop.settledMs, lines),
          cpuUs: logged.cpu && loop.cpu ? Object.fromEntries(Object.entries(logged.cpu).map(([program, ms]) => [program, usPerLine(ms, loop.cpu[program] ?? 0, lines)])) : null,
          loopUs: usPerLine(loop.answeredMs, 0, lines),
        };
        samples.push(sample);
        log(`console: ${system.name}, round ${round}, lines of ${length} bytes: ${sample.answeredUs.toFixed(1)} µs a line to the answer, ${sample.settledUs.toFixed(1)} µs until the server answers again`);
      }
    }
    return samples;
  } finally {
    client.close();
    await dev.stop();
  }
}

/**
 * One request of `lines` console calls, from an idle server: the time to its answer; the time until
 * the server answers the next (empty) request, which waits for whatever the lines left behind in
 * the isolate or wrangler's proxy; and the CPU every process of the server spent until it is idle.
 */
async function measure(client, tree, query) {
  const before = await readCpuWhenIdle(tree);
  const t0 = performance.now();
  const { bytes } = await write(client, query);
  const answeredMs = performance.now() - t0;
  await write(client, { kind: "none", length: 0, lines: 0 });
  const settledMs = performance.now() - t0;
  return { bytes, answeredMs, settledMs, cpu: cpuSpent(before, await readCpuWhenIdle(tree)) };
}

/** What a request of `lines` console lines took beyond the same loop without them, in µs a line. */
const usPerLine = (loggedMs, loopMs, lines) => ((loggedMs - loopMs) / lines) * 1_000;

function write(client, { kind, length, lines }) {
  return client.must("GET", `/?kind=${kind}&length=${length}&lines=${lines}`, { token: "" });
}

/** Medians over the rounds, per line length and system. */
function summarise(samples) {
  return LENGTHS.map((length) => {
    const figures = (system) => {
      const mine = samples.filter((s) => s.system === system && s.length === length);
      const programs = [...new Set(mine.flatMap((s) => Object.keys(s.cpuUs ?? {})))];
      return {
        rounds: mine.length,
        bytes: median(mine.map((s) => s.bytes)),
        answeredUs: median(mine.map((s) => s.answeredUs)),
        settledUs: median(mine.map((s) => s.settledUs)),
        cpuUs: Object.fromEntries(programs.map((name) => [name, median(mine.map((s) => s.cpuUs?.[name]))])),
      };
    };
    return { length, inspector: figures("inspector"), plain: figures("plain") };
  });
}
