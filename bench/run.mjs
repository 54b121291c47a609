// `npm run bench`: one local `wrangler dev` (fresh state), five phases measured in one run so
// their ratios are comparable, then a table. Every phase is bounded by time or count.
//
//   BENCH_SECONDS=5 BENCH_CONCURRENCY=16 BENCH_ITERATIONS=100 BENCH_PM_ITERATIONS=20 npm run bench
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, platform, release, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { startWranglerDev } from "../scripts/wrangler-dev.mjs";

const SECONDS = positiveNumber("BENCH_SECONDS", 5);
const CONCURRENCY = positiveNumber("BENCH_CONCURRENCY", 16);
/** Sequential write→read iterations (phase 4), each with and without a token. */
const ITERATIONS = positiveNumber("BENCH_ITERATIONS", 100);
/** Pick-up → shipped iterations (phase 5). */
const PM_ITERATIONS = positiveNumber("BENCH_PM_ITERATIONS", 20);
const WARMUP_SECONDS = 1;
/** Poll interval when there is no token to wait on (phases 4b and 5). */
const POLL_MS = 2;
/** Give-up point for one poll loop: far above any healthy lag, so a stuck pipeline ends the run. */
const POLL_TIMEOUT_MS = 10_000;
/** The server's ceiling on positions per consistency token (MAX_TOKEN_POSITIONS). */
const TOKEN_POSITIONS = 100;
/** One request that takes this long means the server is stuck: it counts as an error, never hangs the run. */
const REQUEST_TIMEOUT_MS = 15_000;
/** How long the read models get to apply a phase's backlog before the run reports them stuck. */
const DRAIN_TIMEOUT_MS = 30_000;
const API_TOKEN = "dev-api-token";

/** Output every offline `wrangler dev` prints that says nothing about the system under test. */
const KNOWN_NOISE = [/npm warn Unknown (user|env) config/, /Request\.cf/, /getaddrinfo ENOTFOUND workers\.cloudflare\.com/, /^\s+at /];

const RUN = Date.now().toString(36);
const ITEM = { sku: "tea", quantity: 1, unitPrice: 450 };
const placeOrder = (customer) => ({ customerId: customer, items: [ITEM] });

// A keep-alive pool sized to the load, lighter on the shared CPU than fetch().
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
let baseUrl = "";

const dev = await startWranglerDev();
baseUrl = dev.url;
const startedAt = new Date();
/** @type {{ name: string, rows: string[][] }[]} */
const sections = [];
try {
  await warmUp();
  const baseline = await measureThroughput("GET /health", () => call("GET", "/health"));
  report("1. baseline: GET /health", [throughputRow(baseline, baseline)]);

  const placed = [];
  let placeSeq = 0;
  const commands = await measureThroughput("POST place (distinct orders)", async () => {
    const result = await call("POST", `/commands/order/b-${RUN}-p-${placeSeq++}/place`, API_TOKEN, placeOrder("c-bench"));
    if (result.ok) placed.push(result.body.token);
    return result;
  });
  const drainMs = await drain(placed.splice(0));
  // The same objects again: separates the cost of creating an object from that of using one.
  let existingSeq = 0;
  const existing = await measureThroughput("POST add-item (the orders above)", async () => {
    const id = `b-${RUN}-p-${existingSeq++ % placeSeq}`;
    const result = await call("POST", `/commands/order/${id}/add-item`, API_TOKEN, ITEM);
    if (result.ok) placed.push(result.body.token);
    return result;
  });
  const existingDrainMs = await drain(placed.splice(0));
  report("2. commands on many aggregates", [
    throughputRow(commands, baseline),
    ["  projections caught up after the phase", `${ms(drainMs)} (${placeSeq} commands)`],
    throughputRow(existing, baseline),
    ["  projections caught up after the phase", `${ms(existingDrainMs)} (${existingSeq} commands)`],
  ]);

  const hotId = `b-${RUN}-hot`;
  await command("order", hotId, "place", placeOrder("c-bench"));
  let hotToken = "";
  const hot = await measureThroughput("POST add-item (one order)", async () => {
    const result = await call("POST", `/commands/order/${hotId}/add-item`, API_TOKEN, ITEM);
    if (result.ok) hotToken = result.body.token;
    return result;
  });
  const hotDrainMs = await drain([hotToken]);
  report("3. commands on one hot aggregate: POST add-item", [
    throughputRow(hot, baseline),
    ["  projections caught up after the phase", ms(hotDrainMs)],
  ]);

  report("4. write → read (sequential, one client)", await writeThenRead());
  report("5. process manager: pick-up → order shows shipped", await processManagerLag());
} finally {
  agent.destroy();
  await dev.stop();
}
printReport();

// ---------------------------------------------------------------------------------------------

async function warmUp() {
  const deadline = performance.now() + WARMUP_SECONDS * 1_000;
  let i = 0;
  while (performance.now() < deadline) {
    const id = `b-${RUN}-w-${i++}`;
    await call("GET", "/health");
    const placed = await command("order", id, "place", placeOrder("c-warm"));
    await call("GET", `/orders/${id}?consistentWith=${placed.body.token}&wait=5000`, API_TOKEN);
  }
}

/**
 * Closed loop: CONCURRENCY clients each send their next request as soon as the last one answers,
 * for SECONDS. Only 2xx answers count toward throughput and latency.
 */
async function measureThroughput(name, send) {
  const latencies = [];
  let errors = 0;
  const start = performance.now();
  const deadline = start + SECONDS * 1_000;
  const client = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const result = await send();
      if (result.ok) latencies.push(performance.now() - t0);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  const elapsed = (performance.now() - start) / 1_000;
  return { name, count: latencies.length, errors, perSecond: latencies.length / elapsed, ...percentiles(latencies) };
}

/**
 * Waits until the read models have applied every token's version, in chunks the server accepts;
 * the time it takes is the projectors' backlog at the end of a load phase.
 */
async function drain(tokens) {
  const start = performance.now();
  const deadline = start + DRAIN_TIMEOUT_MS;
  for (let i = 0; i < tokens.length; i += TOKEN_POSITIONS) {
    const merged = tokens.slice(i, i + TOKEN_POSITIONS).join(",");
    // The wait happens before the view is read, so any id will do: a 404 after it means caught up.
    while ((await call("GET", `/orders/drain-probe?consistentWith=${merged}&wait=5000`, API_TOKEN)).status === 412) {
      if (performance.now() > deadline) return NaN;
    }
  }
  return performance.now() - start;
}

/** Phase 4: the lag a consistency token waits for, and the lag a client without one would see. */
async function writeThenRead() {
  const readOnly = [];
  const endToEnd = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const id = `b-${RUN}-rw-${i}`;
    const t0 = performance.now();
    const placed = await command("order", id, "place", placeOrder("c-rw"));
    const t1 = performance.now();
    const view = await call("GET", `/orders/${id}?consistentWith=${placed.body.token}&wait=5000`, API_TOKEN);
    const t2 = performance.now();
    if (view.status !== 200) throw new Error(`read-your-write answered ${view.status}: ${JSON.stringify(view.body)}`);
    readOnly.push(t2 - t1);
    endToEnd.push(t2 - t0);
  }
  const untokened = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const id = `b-${RUN}-lag-${i}`;
    await command("order", id, "place", placeOrder("c-lag"));
    const t0 = performance.now();
    await pollUntil(`/orders/${id}`, (view) => view.version >= 1);
    untokened.push(performance.now() - t0);
  }
  return [
    latencyRow("GET ?consistentWith (the wait alone)", percentiles(readOnly)),
    latencyRow("POST place + GET ?consistentWith", percentiles(endToEnd)),
    latencyRow(`projection lag, no token (poll every ${POLL_MS} ms)`, percentiles(untokened)),
  ];
}

/** Phase 5: pick-up answered → the order view shows `shipped` (delivery queue → process manager → ship → order queue). */
async function processManagerLag() {
  const lags = [];
  for (let i = 0; i < PM_ITERATIONS; i++) {
    const orderId = `b-${RUN}-pm-${i}`;
    const deliveryId = `b-${RUN}-pmd-${i}`;
    await command("order", orderId, "place", placeOrder("c-pm"));
    await command("delivery", deliveryId, "schedule", { orderId, address: "1 Main St" });
    await command("delivery", deliveryId, "pick-up", {});
    const t0 = performance.now();
    await pollUntil(`/orders/${orderId}`, (view) => view.status === "shipped");
    lags.push(performance.now() - t0);
  }
  return [latencyRow("pick-up response → GET shows shipped", percentiles(lags))];
}

async function pollUntil(path, done) {
  const deadline = performance.now() + POLL_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const result = await call("GET", path, API_TOKEN);
    if (result.status === 200 && done(result.body)) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`${path} did not reach the expected state within ${POLL_TIMEOUT_MS} ms`);
}

/** A command outside the load phases, where any failure is a broken run, not a data point. */
async function command(aggregate, id, name, payload) {
  const result = await call("POST", `/commands/${aggregate}/${id}/${name}`, API_TOKEN, payload);
  if (!result.ok) {
    throw new Error(`${aggregate}/${id} ${name} answered ${result.status}: ${JSON.stringify(result.body)}`);
  }
  return result;
}

/** One HTTP request over the keep-alive pool; resolves with status and parsed JSON, never rejects on a status. */
function call(method, path, token, payload) {
  const body = payload === undefined ? undefined : JSON.stringify(payload);
  const headers = { ...(token && { Authorization: `Bearer ${token}` }), ...(body && { "Content-Type": "application/json" }) };
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        const status = res.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 300, status, body: parseJson(text) });
      });
      res.on("error", reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${path}: no answer in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", (error) => resolve({ ok: false, status: 0, body: String(error) }));
    req.end(body);
  });
}

/** The body as JSON, or as text when it is not (wrangler's own "worker restarted" page, say). */
function parseJson(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

// --- figures --------------------------------------------------------------------------------

/** Nearest-rank percentiles of the sorted samples. */
function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN };
}

function throughputRow(result, baseline) {
  const ratio = result === baseline ? "1.00 (baseline)" : `${(result.perSecond / baseline.perSecond).toFixed(2)} × baseline`;
  return [
    result.name,
    `${result.perSecond.toFixed(0)} req/s (${result.count} ok, ${result.errors} errors) · p50 ${ms(result.p50)} · p99 ${ms(result.p99)} · ${ratio}`,
  ];
}

function latencyRow(name, { n, p50, p99, max }) {
  return [name, `p50 ${ms(p50)} · p99 ${ms(p99)} · max ${ms(max)} (n=${n})`];
}

function ms(value) {
  return Number.isNaN(value) ? "did not finish" : `${value.toFixed(1)} ms`;
}

function report(name, rows) {
  sections.push({ name, rows });
  console.error(`${new Date().toISOString()} done: ${name}`);
}

function printReport() {
  const wrangler = JSON.parse(readFileSync(new URL("../node_modules/wrangler/package.json", import.meta.url), "utf8")).version;
  const cpu = cpus();
  const lines = [
    `edge-cqrs benchmark · ${startedAt.toISOString()}`,
    `machine: ${cpu[0]?.model ?? "unknown cpu"} × ${cpu.length} · ${(totalmem() / 2 ** 30).toFixed(1)} GiB · ${platform()} ${release()}`,
    `node ${process.version} · wrangler ${wrangler} · wrangler dev --log-level warn on 127.0.0.1 (load generator on the same machine)`,
    `code: ${gitDescription()}`,
    `reproduce: BENCH_SECONDS=${SECONDS} BENCH_CONCURRENCY=${CONCURRENCY} BENCH_ITERATIONS=${ITERATIONS} BENCH_PM_ITERATIONS=${PM_ITERATIONS} npm run bench`,
    `throughput phases: ${SECONDS} s each at ${CONCURRENCY} concurrent clients (closed loop, keep-alive)`,
  ];
  const width = Math.max(...sections.flatMap((s) => s.rows.map((r) => r[0].length)));
  for (const section of sections) {
    lines.push("", section.name);
    for (const [label, value] of section.rows) lines.push(`  ${label.padEnd(width)}  ${value}`);
  }
  const serverLog = dev.logs().split("\n").filter((line) => !KNOWN_NOISE.some((noise) => noise.test(line))).join("\n").trim();
  if (serverLog) lines.push("", "wrangler output (tail):", ...serverLog.split("\n").slice(-20).map((l) => `  ${l}`));
  console.log(lines.join("\n"));
}

function gitDescription() {
  try {
    const git = (...args) => execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src", "wrangler.toml") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " + uncommitted changes in src/ or wrangler.toml" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

function positiveNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}
