// The pipeline comparison without the DevTools inspector (issue item 3's measured reason).
// `wrangler dev` always runs workerd with an inspector, and wrangler receives every console call
// through it (`Runtime.consoleAPICalled`), which makes a log line far dearer locally than the code
// that writes it. The same systems started through wrangler's own programmatic API
// (`unstable_startWorker`, the dev server `wrangler dev` runs) with `inspector: false` show what
// that costs, the rest being equal. Not in the default run: `npm run bench -- --only=no-inspector`.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { applyMigrations } from "../../scripts/wrangler-dev.mjs";
import { withMain } from "../lib/config-variant.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SERVE = fileURLToPath(new URL("./serve.mjs", import.meta.url));

/** The pipeline's goal system, its baseline and its sampled-out variant, each without an inspector. */
export const NO_INSPECTOR_SYSTEMS = [
  { key: "edge", name: "edge-cqrs (two views), no inspector", start: () => startWithoutInspector("bench/two-views/wrangler.toml") },
  { key: "baseline", name: "bare pipeline, no inspector", start: () => startWithoutInspector("bench/baseline/wrangler.toml") },
  { key: "quiet", name: "edge-cqrs (two views, info log lines sampled out), no inspector", start: () => startWithoutInspector(withMain("bench/two-views/wrangler.toml", "quiet-worker.ts")) },
];

/** The columns beside the goal system in this part's table. */
export const NO_INSPECTOR_INFORMATION = [{ key: "quiet", title: "two views, info log lines sampled out" }];

/** How long a dev server may take to answer, and to stop, before the bench gives up on it. */
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * A local dev server for `config` with fresh state and the D1 migrations of `migrate` applied (false
 * for none), and no inspector, in a Node process of its own (bench/no-inspector/serve.mjs): `pid`
 * is that process, whose descendants are the server's.
 */
export async function startWithoutInspector(config, { migrate = "READ_DB" } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), "edge-cqrs-bench-"));
  if (migrate !== false) await applyMigrations(stateDir, migrate, config);
  const child = spawn(process.execPath, [SERVE, resolve(ROOT, config), stateDir, resolve(ROOT, ".dev.vars")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // Kept for a failure's message only: the server's own warnings (no network for `Request.cf`, …).
  child.stderr.on("data", (chunk) => (output = (output + chunk).slice(-20_000)));
  const exited = new Promise((resolveExit) => child.once("exit", resolveExit));
  try {
    const url = await firstUrl(child, exited, () => output);
    return {
      url,
      pid: child.pid,
      logs: () => output,
      stop: async () => {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
}

/** The URL the server process prints once it answers; fails if it exits or stays silent. */
function firstUrl(child, exited, output) {
  return new Promise((resolveUrl, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`no-inspector server did not start within ${START_TIMEOUT_MS} ms:\n${output()}`)), START_TIMEOUT_MS);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      clearTimeout(timer);
      resolveUrl(JSON.parse(line).url);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`no-inspector server exited (${code}) before it answered:\n${output()}`));
    });
  });
}
