// Starts a real `wrangler dev` for end-to-end tests and benchmarks: its own free port, its own
// throwaway state directory, local D1 migrations applied, and a stop() that leaves nothing behind.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import "./ensure-dev-vars.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The repository's wrangler, run directly: npx would cost a second of start-up per command. */
const WRANGLER = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
const HOST = "127.0.0.1";
/** A cold start bundles the Worker and boots workerd: ~5-15 s on a 2-core machine. */
const READY_TIMEOUT_MS = 60_000;
const POLL_MS = 200;
/** Starts tried when a port turns out to be taken between finding it free and binding it. */
const START_ATTEMPTS = 3;
/** How long stop() waits for SIGTERM before it sends SIGKILL. */
const STOP_GRACE_MS = 5_000;
/** Process output kept to explain a failed start: the tail is what matters. */
const MAX_OUTPUT_CHARS = 16_000;

/** @type {NodeJS.Signals[]} */
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];

// No TTY, no prompts, no telemetry: the same behaviour in CI and on a laptop.
const CHILD_ENV = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" };

/**
 * @typedef {object} WranglerDevOptions
 * @property {number} [port] Port for the Worker; a free one on 127.0.0.1 when absent.
 * @property {string} [persistTo] State directory; a fresh temp directory (removed by stop()) when absent.
 * @property {number} [timeoutMs] How long to wait for GET /health to answer 200 (default 60 s).
 * @property {string} [config] Wrangler configuration file, relative to the repository root (default `wrangler.toml`).
 * @property {string | false} [migrate] D1 binding whose local migrations are applied first (default `READ_DB`); false for none.
 * @property {string} [envFile] Secrets file, relative to the repository root; by default wrangler reads the `.dev.vars` beside the config.
 * @property {"warn" | "log"} [logLevel] wrangler's `--log-level` (default `warn`); `log` also prints the Worker's own `console.log` lines, for tests that read them.
 */

/**
 * @typedef {object} WranglerDev
 * @property {string} url Base URL without a trailing slash, e.g. `http://127.0.0.1:43817`.
 * @property {() => Promise<void>} stop Kills wrangler and its workerd children, then removes the temp state.
 * @property {() => string} logs The tail of wrangler's output (warnings and errors at `--log-level warn`).
 * @property {number | undefined} pid The process group of wrangler and workerd (for measuring, never for signalling).
 * @property {number} inspectorPort The DevTools inspector's port (the bench's CPU profiles connect to it).
 */

/**
 * Applies the local D1 migrations into a state directory and starts `wrangler dev` on it.
 * Resolves once `GET /health` answers 200; rejects with the process output otherwise.
 *
 * @param {WranglerDevOptions} [options]
 * @returns {Promise<WranglerDev>}
 * @example
 * const dev = await startWranglerDev();
 * try { await fetch(`${dev.url}/health`); } finally { await dev.stop(); }
 */
export async function startWranglerDev({ port, persistTo, timeoutMs = READY_TIMEOUT_MS, config, migrate = "READ_DB", envFile, logLevel = "warn" } = {}) {
  // Absolute: wrangler resolves --env-file against the config's folder, not the working directory.
  const configArgs = [...(config ? ["--config", resolve(ROOT, config)] : []), ...(envFile ? ["--env-file", resolve(ROOT, envFile)] : [])];
  const ownsState = persistTo === undefined;
  const stateDir = persistTo ?? mkdtempSync(join(tmpdir(), "edge-cqrs-dev-"));
  // Every `wrangler dev` on the machine shares one dev registry by default, and each change to it
  // (another session starting or stopping, an e2e run in another checkout) reloads this Worker and
  // answers in-flight requests with 503 "Your worker restarted mid-request". A private registry
  // keeps this server to itself; it never needs a Worker from another session.
  const registryDir = mkdtempSync(join(tmpdir(), "edge-cqrs-registry-"));
  const removeState = () => {
    if (ownsState) rmSync(stateDir, { recursive: true, force: true });
    rmSync(registryDir, { recursive: true, force: true });
  };
  try {
    if (migrate !== false) await applyMigrations(stateDir, migrate, config);
    for (let attempt = 1; ; attempt++) {
      const workerPort = port ?? (await freePort());
      // Two dev servers at once (e2e and bench) would both want the default inspector port 9229.
      const inspectorPort = await freePort();
      const server = startServer(stateDir, workerPort, inspectorPort, configArgs, registryDir, logLevel);
      const url = `http://${HOST}:${workerPort}`;
      // A runner that dies or is interrupted mid-run must not leave a workerd holding the port, nor
      // its state behind. The server has its own process group, so Ctrl-C never reaches it directly.
      const cleanUpOnExit = () => {
        server.kill();
        removeState();
      };
      const cleanUpOnSignal = (/** @type {NodeJS.Signals} */ signal) => {
        cleanUpOnExit();
        forgetCleanUp();
        // Re-raised with our listeners gone: the default action (or the runner's own handler) follows.
        process.kill(process.pid, signal);
      };
      const forgetCleanUp = () => {
        process.off("exit", cleanUpOnExit);
        for (const signal of FORWARDED_SIGNALS) process.off(signal, cleanUpOnSignal);
      };
      process.once("exit", cleanUpOnExit);
      for (const signal of FORWARDED_SIGNALS) process.once(signal, cleanUpOnSignal);
      const stop = async () => {
        forgetCleanUp();
        await server.stop();
        removeState();
      };
      try {
        await waitUntilHealthy(url, server, timeoutMs);
      } catch (error) {
        forgetCleanUp();
        await server.stop();
        // A free port found by binding and closing it can be taken by another process before
        // workerd binds it (e2e files start their servers in parallel): try again on fresh ports.
        if (attempt < START_ATTEMPTS && String(error).includes("Address already in use")) continue;
        throw error;
      }
      return { url, stop, logs: server.output, pid: server.pid, inspectorPort };
    }
  } catch (error) {
    removeState();
    throw error;
  }
}

/**
 * @param {string} stateDir
 * @param {string} binding
 * @param {string | undefined} config
 */
export async function applyMigrations(stateDir, binding, config) {
  const args = [WRANGLER, "d1", "migrations", "apply", binding, "--local", "--persist-to", stateDir, ...(config ? ["--config", config] : [])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: CHILD_ENV,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = collectOutput(child);
  const code = await new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (status) => resolve(status));
  });
  if (code !== 0) throw new Error(`wrangler d1 migrations apply failed (exit ${code}):\n${output()}`);
}

/**
 * @param {string} stateDir
 * @param {number} port
 * @param {number} inspectorPort
 * @param {readonly string[]} configArgs `--config` and `--env-file`, when the caller chose them
 * @param {string} registryDir
 * @param {string} logLevel
 */
function startServer(stateDir, port, inspectorPort, configArgs, registryDir, logLevel) {
  const args = [WRANGLER, "dev", ...configArgs, "--ip", HOST, "--port", String(port), "--inspector-port", String(inspectorPort)];
  args.push("--persist-to", stateDir, "--log-level", logLevel, "--show-interactive-dev-session=false");
  // Its own process group, so one signal reaches wrangler and every workerd it forked.
  const env = { ...CHILD_ENV, WRANGLER_REGISTRY_PATH: registryDir };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const output = collectOutput(child);
  /** @type {Promise<number | null>} */
  const exited = new Promise((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(-1));
  });
  let running = true;
  void exited.then(() => (running = false));

  const stop = async () => {
    if (running) signalGroup(child.pid, "SIGTERM");
    const timer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
    // workerd may outlive its parent by a moment; make sure the group is gone.
    signalGroup(child.pid, "SIGKILL");
  };
  const kill = () => signalGroup(child.pid, "SIGKILL");
  return { output, isRunning: () => running, stop, kill, pid: child.pid };
}

/**
 * @param {string} url
 * @param {{ output: () => string, isRunning: () => boolean }} server
 * @param {number} timeoutMs
 */
async function waitUntilHealthy(url, server, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!server.isRunning()) throw new Error(`wrangler dev exited before it became healthy:\n${server.output()}`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`wrangler dev did not answer GET /health with 200 within ${timeoutMs} ms:\n${server.output()}`);
}

/**
 * Keeps the tail of a child's stdout and stderr (the stream must be drained or the child blocks).
 * @param {import("node:child_process").ChildProcess} child
 */
function collectOutput(child) {
  let text = "";
  const append = (/** @type {Buffer} */ chunk) => {
    text = (text + chunk.toString()).slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => text;
}

/**
 * @param {number | undefined} pid
 * @param {NodeJS.Signals} signal
 */
function signalGroup(pid, signal) {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** A port the OS considers free right now on 127.0.0.1. */
export function freePort() {
  return /** @type {Promise<number>} */ (
    new Promise((resolve, reject) => {
      const probe = createServer();
      probe.unref();
      probe.once("error", reject);
      probe.listen(0, HOST, () => {
        const address = probe.address();
        probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
      });
    })
  );
}
