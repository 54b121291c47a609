// `npm test`: the whole suite, as CI runs it (.ci/run). Every step of the sequential version runs,
// with independent steps side by side where two cores allow it (see LAST). Each step's output is
// printed whole when it ends; a table of the steps comes last, with their time, their CPU time and
// their outcome, and the load average (timings mean little on a busy machine).
//
//   node scripts/test.mjs            the whole suite (npm test)
//   node scripts/test.mjs tsc e2e    only the steps named (and the steps they need)
//
// Steps, what each needs first (and is skipped without) or only waits for, and its priority:
//   pack          build dist/ and pack .tmp/package/edge-cqrs.tgz once (scripts/pack.mjs)
//   e2e           the e2e project but the package test: dev servers, processes
//   package       the package test (test/package): the tarball in a new project     needs pack
//   quick         vitest projects unit, workers and runtime (npm run test:quick)   after e2e
//   publint       publint --strict on the tarball                                  needs pack, last
//   attw          @arethetypeswrong/cli on the tarball                             needs pack, last
//   check         edge-cqrs check on the example's wrangler.toml (the built CLI)   needs pack, last
//   types         wrangler types --check: worker-configuration.d.ts is current     last
//   tsc           tsc --noEmit, the repository                                      last
//   tsc:runtime   tsc --noEmit -p test/tsconfig.runtime.json (no example types)    last
// publint, attw, check, types, tsc and tsc:runtime run one after the other. The package test is
// the longest chain (install the tarball, the new project's own npm test, npm start): it runs as
// a step of its own, scheduled as one rather than as a share of the e2e step.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, setPriority } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import "./ensure-dev-vars.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LOGS = join(ROOT, ".tmp", "test-logs");
const TARBALL = join(ROOT, ".tmp", "package", "edge-cqrs.tgz");
/** A bin of node_modules/.bin, run with this Node directly (npx would cost a second of start-up per step). */
const bin = (name) => [process.execPath, realpathSync(join(ROOT, "node_modules", ".bin", name))];
/**
 * The type checks and the package checks have no timing bounds: they run beside everything else,
 * on what CPU the tests leave (nice 10). The tests do have timing bounds, written for a machine
 * that is not starved: the e2e files and the package test run side by side (they mostly wait on
 * servers, timers and installs), the workerd and unit projects after the e2e files (they keep both
 * cores busy on their own, and the package test's last minutes have bounds of minutes). Run
 * beside the e2e files, each starved the other's bounds on two cores.
 */
const LAST = 10;

/** @typedef {{ name: string, command: string[], needs?: string[], after?: string[], nice?: number, env?: Record<string, string> }} Step */
/** @type {Step[]} */
const STEPS = [
  { name: "pack", command: [process.execPath, "scripts/pack.mjs"] },
  { name: "e2e", command: [...bin("vitest"), "run", "--project", "e2e", "--exclude", "test/package/**"] },
  { name: "package", command: [...bin("vitest"), "run", "--project", "e2e", "test/package/"], needs: ["pack"], env: { EDGE_CQRS_TARBALL: TARBALL } },
  { name: "quick", command: [...bin("vitest"), "run", "--project", "unit", "--project", "workers", "--project", "runtime", "--project", "runtime-fresh"], after: ["e2e"] },
  { name: "publint", command: [...bin("publint"), "--strict", TARBALL], needs: ["pack"], nice: LAST },
  { name: "attw", command: [...bin("attw"), TARBALL, "--profile", "esm-only"], needs: ["pack"], after: ["publint"], nice: LAST },
  { name: "check", command: [process.execPath, "dist/cli/edge-cqrs.js", "check"], needs: ["pack"], after: ["attw"], nice: LAST },
  { name: "types", command: [...bin("wrangler"), "types", "--env-file", ".dev.vars.example", "--check"], after: ["check"], nice: LAST },
  { name: "tsc", command: [...bin("tsc"), "--noEmit"], after: ["types"], nice: LAST },
  { name: "tsc:runtime", command: [...bin("tsc"), "--noEmit", "-p", "test/tsconfig.runtime.json"], after: ["tsc"], nice: LAST },
];

const wanted = process.argv.slice(2);
for (const name of wanted) if (!STEPS.some((s) => s.name === name)) fail(`unknown step ${name}; steps: ${STEPS.map((s) => s.name).join(", ")}`);
const selected = new Set(wanted.length === 0 ? STEPS.map((s) => s.name) : wanted);
for (const step of STEPS) if (selected.has(step.name)) for (const need of step.needs ?? []) selected.add(need);

rmSync(LOGS, { recursive: true, force: true });
mkdirSync(LOGS, { recursive: true });
const started = performance.now();
const loadBefore = loadavg();
let cpuSeen = childrenCpuSeconds();
/** @type {Map<string, { status: "passed" | "failed" | "skipped", seconds: number, cpu?: number }>} */
const results = new Map();
/** @type {Set<import("node:child_process").ChildProcess>} */
const running = new Set();
/** @type {Map<string, Promise<boolean>>} */
const done = new Map();

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s`;

for (const step of STEPS) if (selected.has(step.name)) done.set(step.name, schedule(step));
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    for (const child of running) signalGroup(child, signal);
    process.exitCode = 130;
  });
}
await Promise.all(done.values());
summarise();

/** @param {Step} step */
async function schedule(step) {
  const needed = await Promise.all((step.needs ?? []).map((need) => done.get(need)));
  await Promise.all((step.after ?? []).map((other) => done.get(other)));
  if (needed.includes(false)) {
    results.set(step.name, { status: "skipped", seconds: 0 });
    console.log(`${elapsed()}  ${paint(33, "skip")}  ${step.name} (needs ${step.needs?.join(", ")})`);
    return false;
  }
  console.log(`${elapsed()}  start ${step.name}: ${step.command.slice(1).map((a) => a.replace(ROOT, "")).join(" ")}`);
  const log = join(LOGS, `${step.name.replace(":", "-")}.log`);
  const from = performance.now();
  const { code, cpu } = await run(step, log);
  const seconds = (performance.now() - from) / 1000;
  const passed = code === 0;
  results.set(step.name, { status: passed ? "passed" : "failed", seconds, cpu });
  const line = `${elapsed()}  ${passed ? paint(32, "pass") : paint(31, "FAIL")}  ${step.name} (${seconds.toFixed(1)} s)`;
  console.log(`\n${paint(1, `── ${step.name} ──`)}\n${readFileSync(log, "utf8").trimEnd()}\n${line}\n`);
  return passed;
}

/**
 * @param {Step} step
 * @param {string} log
 * @returns {Promise<{ code: number, cpu: number | undefined }>} the exit code, and the CPU seconds of the step's processes
 */
function run(step, log) {
  return new Promise((resolve) => {
    const out = createWriteStream(log);
    // Its own process group, so an interrupt reaches everything the step started.
    const child = spawn(step.command[0], step.command.slice(1), {
      cwd: ROOT,
      env: { ...process.env, ...(color ? { FORCE_COLOR: "1" } : {}), ...step.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    running.add(child);
    if (step.nice && child.pid !== undefined) lowerPriority(child.pid, step.nice);
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.once("error", (error) => out.write(`${error}\n`));
    child.once("close", (code, signal) => {
      running.delete(child);
      if (signal) out.write(`killed by ${signal}\n`);
      // A step's processes are counted in this process's children's CPU time once it reaps the
      // step: read right then, the increase is the step's own (Linux only).
      const cpu = childrenCpuSeconds();
      const used = cpu === undefined || cpuSeen === undefined ? undefined : cpu - cpuSeen;
      cpuSeen = cpu;
      out.end(() => resolve({ code: code ?? 1, cpu: used }));
    });
  });
}

function summarise() {
  const total = (performance.now() - started) / 1000;
  const rows = STEPS.filter((s) => results.has(s.name)).map((s) => ({ name: s.name, ...results.get(s.name) }));
  const failed = rows.filter((r) => r.status !== "passed");
  console.log(paint(1, "── summary ──"));
  for (const row of rows) {
    const status = row.status === "passed" ? paint(32, "pass") : row.status === "failed" ? paint(31, "FAIL") : paint(33, "skip");
    const cpu = row.cpu === undefined ? "" : `  ${row.cpu.toFixed(1).padStart(6)} s CPU`;
    console.log(`  ${status}  ${row.name.padEnd(12)} ${row.seconds.toFixed(1).padStart(6)} s${cpu}`);
  }
  console.log(`  ${rows.length - failed.length} of ${rows.length} steps passed in ${total.toFixed(1)} s (wall); logs in .tmp/test-logs/`);
  // Timings mean little on a busy machine: the load says how busy it was.
  const load = (averages) => averages.map((a) => a.toFixed(2)).join(" ");
  console.log(`  load average (1, 5, 15 min) before ${load(loadBefore)}, after ${load(loadavg())}`);
  if (failed.length > 0) process.exitCode = 1;
}

/**
 * Lowers a step's priority, before it starts processes of its own (they inherit it). A step runs
 * in a session of its own, and where Linux groups the scheduling of each session (autogroup, the
 * default on desktops and most servers), a process's nice value only ranks it within its session:
 * the session's own nice value ranks the steps against each other.
 * @param {number} pid
 * @param {number} nice
 */
function lowerPriority(pid, nice) {
  try {
    setPriority(pid, nice);
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch {
    // No autogroup (or not permitted): the process's own nice value is what there is.
  }
}

/** User and system CPU seconds of this process's reaped children, from /proc; undefined elsewhere. */
function childrenCpuSeconds() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 16 and 17 of stat(5), cutime and cstime, in clock ticks (100 a second on Linux).
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * @param {import("node:child_process").ChildProcess} child
 * @param {NodeJS.Signals} signal
 */
function signalGroup(child, signal) {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** @param {string} message */
function fail(message) {
  console.error(message);
  process.exit(2);
}
