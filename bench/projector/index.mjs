// Projector throughput (issue item 4): events/s one projection applies into one D1 from a
// pre-filled queue, over many streams and over few, for each consumer max_batch_size. The fixture
// Worker holds the queue's first batch at a gate while the bench fills the queue, then releases it;
// the clock runs from the release to the end of the batch that completes the run (timed inside
// the Worker), and completion is the sum of the run's checkpoints reaching the number of events.
import { performance } from "node:perf_hooks";
import { startWranglerDev } from "../../scripts/wrangler-dev.mjs";
import { withMain } from "../lib/config-variant.mjs";
import { httpClient } from "../lib/http-client.mjs";
import { markdownTable } from "../lib/report.mjs";
import { median } from "../lib/stats.mjs";

// The fixture has no D1 migrations of its own: the runtime's tables create themselves, its views come from POST /bench/setup.
export const FIXTURE = { config: "bench/fixtures/wrangler.toml", envFile: ".dev.vars", migrate: false };
/** The fixture's queues (bench/fixtures/wrangler.toml): one per max_batch_size. */
const BATCH_SIZES = [10, 25, 50, 100];
/** Events one fill request sends: 10 sendBatch calls, well inside one request's subrequests. */
const FILL_CHUNK = 1_000;
/**
 * Most messages the bench lets wait in the local queue at once. Miniflare's queue broker keeps one
 * timer per waiting message and workerd caps an object at 10,000 active timers: past that, sends
 * fail with `Unknown Internal Error (15000)` (QuotaExceededError "max active timeouts: 10000",
 * workers-sdk issue #15670). So the queue is pre-filled up to this backlog and topped up as it
 * drains, until the run's events are all sent.
 */
const LOCAL_BACKLOG_MAX = 8_000;
/** Progress polls are requests to the same Worker: every 200 ms keeps their CPU out of the figure. */
const POLL_MS = 200;
/** No event applied for this long ends a run as stuck: longer than the first few queue retry delays. */
const STALL_MS = 20_000;
/** A run that applies fewer than this many events per second is reported stuck, not waited for. */
const MIN_EVENTS_PER_SECOND = 100;
/** The issue's goal. */
export const GOAL_EVENTS_PER_SECOND = 5_000;
/** D1's own ceiling for the same kind of write, measured in the same run for scale. */
const CEILING_STATEMENTS = 20_000;
const CEILING_BATCHES = [100, 300];
/**
 * Events the queue-alone runs move: a consumer that acknowledges and does nothing else. Within the
 * local backlog limit, so the whole run is pre-filled and nothing else runs while it drains.
 */
const QUEUE_ALONE_EVENTS = 8_000;

export async function runProjector(options, log) {
  const unknown = options.batchSizes.filter((s) => !BATCH_SIZES.includes(s));
  if (unknown.length > 0) throw new Error(`BENCH_BATCH_SIZES: the fixture has queues for ${BATCH_SIZES.join(", ")} only`);
  const dev = await startWranglerDev(FIXTURE);
  const client = httpClient(dev.url, 4);
  const bench = (path) => client.must("POST", path, { token: "" });
  const id = Date.now().toString(36);
  try {
    log(`projector: fixture listening on ${dev.url}`);
    await bench("/bench/setup");
    const runs = [];
    for (let round = 1; round <= options.projectorRounds; round++) {
      for (const streams of options.projectorStreams) {
        for (const size of options.batchSizes) {
          const run = `${id}-r${round}-s${streams}-b${size}`;
          const figures = await measure(bench, { run, streams, size, events: options.projectorEvents });
          if (!Number.isFinite(figures.eventsPerSecond)) log(`projector: ${run} stuck at ${figures.applied} of ${figures.events} events; wrangler says:\n${dev.logs().slice(-3000)}`);
          runs.push({ round, streams, size, ...figures });
          log(`projector: round ${round}, ${streams} streams, max_batch_size ${size}: ${figures.eventsPerSecond.toFixed(0)} events/s, ${figures.ownEventsPerSecond.toFixed(0)} in the consumer's own time (${figures.batches} batches, ${figures.prefilledEvents} pre-filled in ${figures.fillMs.toFixed(0)} ms${figures.prefilled ? "" : ", NOT pre-filled"})`);
        }
      }
    }
    // The same queue with a consumer that only acknowledges: what the local queue itself delivers.
    const queueAlone = [];
    for (const size of options.batchSizes) {
      const figures = await measure(bench, { run: `${id}-ack-b${size}`, streams: 1000, size, events: Math.min(QUEUE_ALONE_EVENTS, options.projectorEvents), mode: "ack" });
      queueAlone.push({ size, ...figures });
      log(`projector: the local queue alone, max_batch_size ${size}: ${figures.eventsPerSecond.toFixed(0)} events/s (${figures.batches} batches)`);
    }
    const ceiling = [];
    for (const perBatch of CEILING_BATCHES) {
      const { ms } = await bench(`/bench/d1-ceiling?statements=${CEILING_STATEMENTS}&perBatch=${perBatch}`);
      ceiling.push({ perBatch, statements: CEILING_STATEMENTS, upsertsPerSecond: (CEILING_STATEMENTS / ms) * 1_000 });
    }
    log(`projector: D1 ceiling ${ceiling.map((c) => `${c.upsertsPerSecond.toFixed(0)} upserts/s at ${c.perBatch} per batch`).join(", ")}`);
    const quiet = await measureQuiet(options, id, log);
    return { runs, ceiling, queueAlone, quiet, summary: summarise(runs, queueAlone, quiet, options) };
  } finally {
    client.close();
    await dev.stop();
  }
}

/**
 * The same runs with the fixture's info log lines sampled out (bench/fixtures/quiet-worker.ts), at
 * the largest batch size under test: what the batch's log line costs under `wrangler dev`.
 */
async function measureQuiet(options, id, log) {
  const size = Math.max(...options.batchSizes);
  const dev = await startWranglerDev({ ...FIXTURE, config: withMain(FIXTURE.config, "quiet-worker.ts") });
  const client = httpClient(dev.url, 4);
  const bench = (path) => client.must("POST", path, { token: "" });
  try {
    await bench("/bench/setup");
    const runs = [];
    for (const streams of options.projectorStreams) {
      const figures = await measure(bench, { run: `${id}-quiet-s${streams}-b${size}`, streams, size, events: options.projectorEvents });
      runs.push({ streams, size, ...figures });
      log(`projector: info log lines sampled out, ${streams} streams, max_batch_size ${size}: ${figures.eventsPerSecond.toFixed(0)} events/s, ${figures.ownEventsPerSecond.toFixed(0)} in the consumer's own time`);
    }
    return runs;
  } finally {
    client.close();
    await dev.stop();
  }
}

/**
 * One projector run with a hook around the drain: `around(released)` must call `released()`, which
 * releases the pre-filled queue and resolves with the run's figures once it drained. The profile
 * part wraps the drain in a CPU profile this way.
 */
export async function profileProjectorRun(bench, { streams, size, events }, around) {
  await bench("/bench/setup");
  let profile;
  await measure(bench, { run: `profile-${Date.now().toString(36)}`, streams, size, events }, async (released) => {
    profile = await around(released);
  });
  return profile;
}

export async function measure(bench, { run, streams, size, events, mode = "runtime" }, around = (released) => released()) {
  const query = `size=${size}&run=${run}`;
  let sent = 0;
  const sendChunk = async () => {
    const to = Math.min(sent + FILL_CHUNK, events);
    await bench(`/bench/fill?${query}&streams=${streams}&from=${sent}&to=${to}`);
    sent = to;
  };
  await bench(`/bench/arm?${query}&mode=${mode}`);
  const fillStart = performance.now();
  while (sent < Math.min(events, LOCAL_BACKLOG_MAX)) await sendChunk();
  const fillMs = performance.now() - fillStart;
  const prefilledEvents = sent;
  let state;
  let consumedBeforeRelease = 0;
  const released = async () => {
    ({ consumedBeforeRelease } = await bench(`/bench/release?${query}`));
    const deadline = performance.now() + Math.max(60_000, (events / MIN_EVENTS_PER_SECOND) * 1_000);
    let lastProgress = { applied: -1, at: performance.now() };
    for (;;) {
      // Messages consumed (from memory) stand for events applied until they could all be: then the
      // checkpoints in D1 say whether they were.
      const counts = await bench(`/bench/progress?${query}&checkpoints=0`);
      state = counts.messages >= events && mode === "runtime" ? await bench(`/bench/progress?${query}`) : { ...counts, applied: counts.messages };
      if (state.applied >= events || performance.now() > deadline) break;
      if (state.applied !== lastProgress.applied) lastProgress = { applied: state.applied, at: performance.now() };
      // Failed batches come back after 1, 2, 4 … s; nothing applied for longer than that is a stuck run.
      if (performance.now() - lastProgress.at > STALL_MS) break;
      if (sent < events && sent - state.applied + FILL_CHUNK <= LOCAL_BACKLOG_MAX) {
        await sendChunk();
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return state;
  };
  await around(released);
  const done = state.applied >= events;
  const seconds = (state.lastBatchAt - state.openedAt) / 1_000;
  return {
    events,
    applied: state.applied,
    eventsPerSecond: done ? events / seconds : NaN,
    // The time the consumer's handler ran, summed over batches: what the projection itself costs,
    // without the time the local queue takes between batches.
    ownEventsPerSecond: done ? events / (state.busyMs / 1_000) : NaN,
    seconds,
    busyMs: state.busyMs,
    batches: state.batches,
    messages: state.messages,
    meanBatch: state.messages / Math.max(1, state.batches),
    fillMs,
    prefilledEvents,
    prefilled: consumedBeforeRelease === 0,
  };
}

function summarise(runs, queueAlone, quiet, options) {
  return options.projectorStreams.flatMap((streams) =>
    options.batchSizes.map((size) => {
      const mine = runs.filter((r) => r.streams === streams && r.size === size);
      return {
        streams,
        size,
        eventsPerSecond: median(mine.map((r) => r.eventsPerSecond)),
        ownEventsPerSecond: median(mine.map((r) => r.ownEventsPerSecond)),
        queueAlonePerSecond: queueAlone.find((q) => q.size === size)?.eventsPerSecond ?? NaN,
        quietOwnPerSecond: quiet.find((q) => q.size === size && q.streams === streams)?.ownEventsPerSecond ?? NaN,
        meanBatch: median(mine.map((r) => r.meanBatch)),
        prefilled: mine.every((r) => r.prefilled),
      };
    }),
  );
}

export function projectorTable({ summary, ceiling, runs, queueAlone = [] }) {
  const events = runs[0]?.events ?? 0;
  const rate = (n) => (Number.isFinite(n) ? n.toFixed(0) : "did not finish");
  const rows = summary.map((s) => [
    `${events.toLocaleString("en")} events over ${s.streams.toLocaleString("en")} streams`,
    String(s.size),
    `**${rate(s.eventsPerSecond)}**`,
    `**${rate(s.ownEventsPerSecond)}**`,
    Number.isNaN(s.quietOwnPerSecond) ? "" : rate(s.quietOwnPerSecond),
    rate(s.queueAlonePerSecond),
    s.meanBatch.toFixed(1),
    `≥ ${GOAL_EVENTS_PER_SECOND}: end to end ${s.eventsPerSecond >= GOAL_EVENTS_PER_SECOND ? "met" : "**not met**"}, in the consumer's own time ${s.ownEventsPerSecond >= GOAL_EVENTS_PER_SECOND ? "met" : "**not met**"}${s.prefilled ? "" : " (queue was not pre-filled)"}`,
  ]);
  const table = markdownTable(
    [
      "load",
      "max_batch_size",
      "events/s end to end (median of rounds)",
      "events/s in the consumer's own time",
      "… with info log lines sampled out",
      "the local queue alone, events/s",
      "messages per batch",
      "goal",
    ],
    rows,
  );
  const alone = queueAlone.length > 0 ? ` "The local queue alone" is the same queue drained by a consumer that only acknowledges (${queueAlone[0].events.toLocaleString("en")} pre-filled events): the most any consumer receives locally.` : "";
  const scale = ceiling.map((c) => `${c.upsertsPerSecond.toFixed(0)} upserts/s at ${c.perBatch} statements per batch`).join("; ");
  const backlog = `The queue is pre-filled with ${Math.min(events, LOCAL_BACKLOG_MAX).toLocaleString("en")} messages and topped up while it drains, so no more than ${LOCAL_BACKLOG_MAX.toLocaleString("en")} wait at once (the local queue broker's limit, see above).`;
  return `${table}\n\n${backlog}${alone} "In the consumer's own time" divides the events by the time the consumer's handler ran, summed over batches, leaving out the time the queue takes between batches; "with info log lines sampled out" is the same at the largest batch size with \`logs: { sampleRate: 0 }\` (bench/fixtures/quiet-worker.ts), the batch's JSON line being what \`wrangler dev\`'s inspector receives. D1's own ceiling in the same run (plain upserts, ${CEILING_STATEMENTS.toLocaleString("en")} statements): ${scale}.`;
}
