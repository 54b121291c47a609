// What an aggregate's first command costs: the new-aggregates scenario alone, without the
// inspector, on the bare pipeline, edge-cqrs with its defaults, edge-cqrs with its info lines
// sampled out, and that application with its objects' alarms dropped (bench/two-views/
// no-alarm-worker.ts; not a valid configuration). The last two differ only by the outbox's safety
// alarm, which the first command of an object arms in its commit: this part measures what that
// guarantee costs locally, in throughput, in the dev server's CPU, and, where `strace` is
// installed, in the file-system calls workerd makes per new object. Not in the default run:
// `npm run bench -- --only=new-objects`.
import { spawn } from "node:child_process";
import { startWithoutInspector } from "../no-inspector/index.mjs";
import { cpuSpent, processTree, readCpu, readCpuWhenIdle } from "../console/cpu.mjs";
import { withMain } from "../lib/config-variant.mjs";
import { httpClient } from "../lib/http-client.mjs";
import { median } from "../lib/stats.mjs";
import { newAggregates, warmUp } from "../pipeline/scenarios.mjs";
import { newObjectsTable } from "./table.mjs";

export { newObjectsTable };

const TWO_VIEWS = "bench/two-views/wrangler.toml";
export const NEW_OBJECT_SYSTEMS = [
  { key: "baseline", name: "bare pipeline", config: () => "bench/baseline/wrangler.toml" },
  { key: "edge", name: "edge-cqrs, two views", config: () => TWO_VIEWS },
  { key: "quiet", name: "edge-cqrs, info lines sampled out", config: () => withMain(TWO_VIEWS, "quiet-worker.ts") },
  { key: "noAlarm", name: "the same without alarms (not valid)", config: () => withMain(TWO_VIEWS, "no-alarm-worker.ts") },
];

/** Objects created under `strace`, per system: enough for stable counts, few enough to stay short under its slowdown. */
const TRACED_OBJECTS = 200;
const TRACED_CALLS = ["fsync", "fdatasync", "pwrite64", "openat"];

export async function runNewObjects(options, log) {
  const started = [];
  const run = Date.now().toString(36);
  try {
    for (const system of NEW_OBJECT_SYSTEMS) {
      const dev = await startWithoutInspector(system.config());
      started.push({ system, dev, client: httpClient(dev.url, options.concurrency) });
      log(`new-objects: ${system.name} listening on ${dev.url}`);
    }
    for (const { system, client } of started) await warmUp(client, `${run}-${system.key}`);
    const rounds = Object.fromEntries(NEW_OBJECT_SYSTEMS.map((s) => [s.key, []]));
    for (let round = 1; round <= options.newObjectRounds; round++) {
      for (const { system, client, dev } of started) {
        // Read again each time: the dev server may have restarted its workerd since (a reload).
        const tree = processTree(dev.pid);
        // Each system starts on an idle machine: the previous one's alarms have fired (in the scenario).
        const before = readCpu(tree);
        const figures = await newAggregates(client, { ...options, prefix: `${run}-${system.key}-r${round}` });
        const cpu = cpuSpent(before, await readCpuWhenIdle(tree));
        const workerdMsPerObject = cpu?.workerd !== undefined && figures.ok > 0 ? cpu.workerd / figures.ok : NaN;
        rounds[system.key].push({ ...figures, workerdMsPerObject });
        log(`new-objects: round ${round} on ${system.name}: ${figures.perSecond.toFixed(1)} commands/s, p50 ${figures.p50.toFixed(1)} ms, workerd ${workerdMsPerObject.toFixed(2)} ms of CPU per object`);
      }
    }
    const syscalls = {};
    for (const { system, client, dev } of started) {
      syscalls[system.key] = await tracedCalls(client, processTree(dev.pid), { ...options, prefix: `${run}-${system.key}-traced` });
      if (syscalls[system.key]) log(`new-objects: file-system calls per object on ${system.name}: ${JSON.stringify(syscalls[system.key])}`);
    }
    return { rounds, syscalls, summary: summarise(rounds, syscalls) };
  } finally {
    for (const { client, dev } of started) {
      client.close();
      await dev.stop();
    }
  }
}

/**
 * Creates {@link TRACED_OBJECTS} objects with `strace -c` attached to the server's workerd processes
 * and returns the calls per object; null when strace is missing or may not attach. The alarms those
 * objects arm fire inside the traced window, so their calls are counted too.
 */
async function tracedCalls(client, tree, ctx) {
  const workerd = tree.filter((p) => p.name === "workerd").map((p) => String(p.pid));
  if (workerd.length === 0) return null;
  let strace;
  try {
    strace = spawn("strace", ["-f", "-c", "-e", `trace=${TRACED_CALLS.join(",")}`, ...workerd.flatMap((pid) => ["-p", pid])], { stdio: ["ignore", "ignore", "pipe"] });
  } catch {
    return null;
  }
  let report = "";
  strace.stderr.on("data", (chunk) => (report += chunk));
  const exited = new Promise((resolve) => {
    strace.once("exit", resolve);
    strace.once("error", () => resolve(null));
  });
  // strace prints "Process N attached" per thread once it has them; a failed attach exits at once.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  if (strace.exitCode !== null || strace.pid === undefined) return null;
  const figures = await newAggregates(client, { ...ctx, commands: TRACED_OBJECTS, seconds: 120 });
  strace.kill("SIGINT");
  await exited;
  const counts = Object.fromEntries(TRACED_CALLS.map((call) => [call, callCount(report, call) / Math.max(figures.ok, 1)]));
  return figures.ok > 0 ? counts : null;
}

/** The `calls` column of `strace -c`'s row for `call` (0 when it made none). */
function callCount(report, call) {
  const row = report.split("\n").find((line) => line.trim().split(/\s+/).at(-1) === call);
  if (!row) return 0;
  const columns = row.trim().split(/\s+/);
  // % time, seconds, usecs/call, calls, [errors], syscall
  return Number(columns[3]);
}

function summarise(rounds, syscalls) {
  const base = rounds.baseline;
  const byRound = (key) => rounds[key].map((r, i) => r.perSecond / base[i].perSecond);
  return Object.fromEntries(
    Object.entries(rounds).map(([key, list]) => [
      key,
      {
        perSecond: median(list.map((r) => r.perSecond)),
        p50: median(list.map((r) => r.p50)),
        workerdMsPerObject: median(list.map((r) => r.workerdMsPerObject)),
        ratio: median(list.map((r) => r.perSecond)) / median(base.map((r) => r.perSecond)),
        roundRatios: byRound(key),
        errors: list.reduce((n, r) => n + r.errors, 0),
        syscalls: syscalls[key] ?? null,
      },
    ]),
  );
}
