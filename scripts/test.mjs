// `npm test`: the whole suite, as CI runs it (.ci/run). Every step of the sequential version runs,
// but independent steps run side by side: on two cores the e2e files mostly wait on servers and
// timers, while the type checks and the workerd tests keep the CPUs busy. Each step's output is
// printed whole when it ends; a table of the steps, their time and their outcome comes last.
//
//   node scripts/test.mjs            the whole suite (npm test)
//   node scripts/test.mjs tsc e2e    only the steps named (and the steps they need)
//
// Steps, what each needs first (and is skipped without), and what it waits for only to keep the
// two cores from being asked for more than they give (timing bounds in the e2e files hold under
// a load of about three, not of ten):
//   pack          build dist/ and pack .tmp/package/edge-cqrs.tgz once (scripts/pack.mjs)
//   quick         vitest projects unit, workers and runtime (npm run test:quick), one file at a time
//   e2e           vitest project e2e; the package test installs the tarball       needs pack
//   publint       publint --strict on the tarball                                 needs pack
//   attw          @arethetypeswrong/cli on the tarball                            needs pack
//   check         edge-cqrs check on the example's wrangler.toml (the built CLI)  needs pack
//   types         wrangler types --check: worker-configuration.d.ts is current    after check
//   tsc           tsc --noEmit, the repository                                     after types
//   tsc:runtime   tsc --noEmit -p test/tsconfig.runtime.json (no example types)   after tsc
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import "./ensure-dev-vars.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LOGS = join(ROOT, ".tmp", "test-logs");
const TARBALL = join(ROOT, ".tmp", "package", "edge-cqrs.tgz");
/** A bin of node_modules/.bin, run with this Node directly (npx would cost a second of start-up per step). */
const bin = (name) => [process.execPath, realpathSync(join(ROOT, "node_modules", ".bin", name))];
/** Workerd files at a time in `quick` while the e2e files run beside it (alone, `npm run test:quick` runs two). */
const QUICK_WORKERS = Number(process.env.QUICK_WORKERS ?? 1);

/** @typedef {{ name: string, command: string[], needs?: string[], after?: string[], env?: Record<string, string> }} Step */
/** @type {Step[]} */
const STEPS = [
  { name: "pack", command: [process.execPath, "scripts/pack.mjs"] },
  { name: "quick", command: [...bin("vitest"), "run", "--project", "unit", "--project", "workers", "--project", "runtime", `--maxWorkers=${QUICK_WORKERS}`] },
  { name: "e2e", command: [...bin("vitest"), "run", "--project", "e2e"], needs: ["pack"], env: { EDGE_CQRS_TARBALL: TARBALL } },
  { name: "publint", command: [...bin("publint"), "--strict", TARBALL], needs: ["pack"] },
  { name: "attw", command: [...bin("attw"), TARBALL, "--profile", "esm-only"], needs: ["pack"], after: ["publint"] },
  { name: "check", command: [process.execPath, "dist/cli/edge-cqrs.js", "check"], needs: ["pack"], after: ["attw"] },
  { name: "types", command: [...bin("wrangler"), "types", "--env-file", ".dev.vars.example", "--check"], after: ["check"] },
  { name: "tsc", command: [...bin("tsc"), "--noEmit"], after: ["types"] },
  { name: "tsc:runtime", command: [...bin("tsc"), "--noEmit", "-p", "test/tsconfig.runtime.json"], after: ["tsc"] },
];

const wanted = process.argv.slice(2);
for (const name of wanted) if (!STEPS.some((s) => s.name === name)) fail(`unknown step ${name}; steps: ${STEPS.map((s) => s.name).join(", ")}`);
const selected = new Set(wanted.length === 0 ? STEPS.map((s) => s.name) : wanted);
for (const step of STEPS) if (selected.has(step.name)) for (const need of step.needs ?? []) selected.add(need);

rmSync(LOGS, { recursive: true, force: true });
mkdirSync(LOGS, { recursive: true });
const started = performance.now();
const loadBefore = loadavg();
/** @type {Map<string, { status: "passed" | "failed" | "skipped", seconds: number }>} */
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
  const code = await run(step, log);
  const seconds = (performance.now() - from) / 1000;
  const passed = code === 0;
  results.set(step.name, { status: passed ? "passed" : "failed", seconds });
  const line = `${elapsed()}  ${passed ? paint(32, "pass") : paint(31, "FAIL")}  ${step.name} (${seconds.toFixed(1)} s)`;
  console.log(`\n${paint(1, `── ${step.name} ──`)}\n${readFileSync(log, "utf8").trimEnd()}\n${line}\n`);
  return passed;
}

/**
 * @param {Step} step
 * @param {string} log
 * @returns {Promise<number>} the exit code
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
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.once("error", (error) => out.write(`${error}\n`));
    child.once("close", (code, signal) => {
      running.delete(child);
      if (signal) out.write(`killed by ${signal}\n`);
      out.end(() => resolve(code ?? 1));
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
    console.log(`  ${status}  ${row.name.padEnd(12)} ${row.seconds.toFixed(1).padStart(6)} s`);
  }
  console.log(`  ${rows.length - failed.length} of ${rows.length} steps passed in ${total.toFixed(1)} s (wall); logs in .tmp/test-logs/`);
  // Timings mean little on a busy machine: the load says how busy it was.
  const load = (averages) => averages.map((a) => a.toFixed(2)).join(" ");
  console.log(`  load average (1, 5, 15 min) before ${load(loadBefore)}, after ${load(loadavg())}`);
  if (failed.length > 0) process.exitCode = 1;
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
