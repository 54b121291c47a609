// Load shapes shared by every scenario: a closed loop bounded by count and time, and the drain
// that waits (with consistency tokens) until the read side has applied what a phase wrote.
import { performance } from "node:perf_hooks";
import { percentiles } from "./stats.mjs";

/** The server's ceiling on positions per consistency token (MAX_TOKEN_POSITIONS in both systems). */
const TOKEN_POSITIONS = 100;
/** How long the read side gets to apply a phase's backlog before the drain reports it stuck. */
const DRAIN_TIMEOUT_MS = 30_000;

/**
 * `concurrency` clients each send their next request as soon as the last one answered, until
 * `count` requests were sent or `seconds` passed. Only 2xx answers count toward throughput and latency.
 * @param {{ concurrency: number, count: number, seconds: number }} bounds
 * @param {(i: number) => Promise<{ ok: boolean, status: number, body: any }>} send
 */
export async function closedLoop({ concurrency, count, seconds }, send) {
  const latencies = [];
  const errors = new Map();
  /** The first failure's body, to say why a phase failed. */
  let firstError;
  let issued = 0;
  const start = performance.now();
  const deadline = start + seconds * 1_000;
  const client = async () => {
    while (issued < count && performance.now() < deadline) {
      const i = issued++;
      const t0 = performance.now();
      const result = await send(i);
      if (result.ok) latencies.push(performance.now() - t0);
      else {
        errors.set(result.status, (errors.get(result.status) ?? 0) + 1);
        firstError ??= `${result.status}: ${JSON.stringify(result.body).slice(0, 500)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsedS = (performance.now() - start) / 1_000;
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
  return { ok: latencies.length, errors: errorCount, errorsByStatus: Object.fromEntries(errors), firstError, perSecond: latencies.length / elapsedS, seconds: elapsedS, ...percentiles(latencies) };
}

/**
 * Waits until the view behind `GET /orders/:id` has applied every token, in chunks the server
 * accepts. The wait runs before the view is read, so any id will do: a 404 after it means caught up.
 * Returns the time it took (the read side's backlog at the end of the phase), or NaN if stuck.
 */
export async function drain(client, tokens) {
  const start = performance.now();
  const deadline = start + DRAIN_TIMEOUT_MS;
  for (let i = 0; i < tokens.length; i += TOKEN_POSITIONS) {
    const merged = tokens.slice(i, i + TOKEN_POSITIONS).join(",");
    for (;;) {
      const { status } = await client.call("GET", `/orders/drain-probe?consistentWith=${merged}&wait=5000`);
      if (status === 200 || status === 404) break;
      if (status !== 412 || performance.now() > deadline) return NaN;
    }
  }
  return performance.now() - start;
}
