// Where the time goes (issue item 2): a CPU profile of the local isolate while it serves commands,
// and another while one projection drains a pre-filled queue, broken down by category
// (bench/profile/breakdown.mjs). workerd runs the Worker and its Durable Objects in one isolate
// locally, so one profile holds the edge, the object and the consumers.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startWranglerDev } from "../../scripts/wrangler-dev.mjs";
import { httpClient } from "../lib/http-client.mjs";
import { closedLoop } from "../lib/load.mjs";
import { markdownTable } from "../lib/report.mjs";
import { FIXTURE, profileProjectorRun } from "../projector/index.mjs";
import { breakdown } from "./breakdown.mjs";
import { cpuProfile } from "./cdp.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;
/** Orders the profiled commands spread over, placed before the profile starts. */
const ORDERS = 50;
/** Commands served while warming up: the profile should show steady state, not first calls. */
const WARM_UP_COMMANDS = 200;
/** Profiled commands, and events the projector drains while profiled. */
const PROFILED_COMMANDS = 1_000;
/** Commands that each create their aggregate's object (`place` on a new order), after as many to warm up. */
const PROFILED_NEW_AGGREGATES = 500;
const PROFILED_EVENTS = 8_000;
const PROJECTOR_BATCH_SIZE = 100;
const PROJECTOR_STREAMS = 1_000;

export async function runProfile(options, log) {
  return {
    ...(await profileCommands(options, log)),
    projector: await profileProjector(log),
  };
}

/** The system the goals are measured on (bench/pipeline): the example's orders and its two views. */
const COMMAND_SYSTEM = { config: "bench/two-views/wrangler.toml", envFile: ".dev.vars" };

async function profileCommands(options, log) {
  const dev = await startWranglerDev(COMMAND_SYSTEM);
  const client = httpClient(dev.url, options.concurrency);
  const id = Date.now().toString(36);
  const order = (i) => `${id}-p${i % ORDERS}`;
  const addItem = (i) => client.call("POST", `/commands/order/${order(i)}/add-item`, { body: { sku: `s${i % 10}`, quantity: 1, unitPrice: 450 } });
  try {
    for (let i = 0; i < ORDERS; i++) await client.must("POST", `/commands/order/${order(i)}/place`, { body: { customerId: "c-profile", items: [{ sku: "tea", quantity: 1, unitPrice: 450 }] } });
    await closedLoop({ concurrency: options.concurrency, count: WARM_UP_COMMANDS, seconds: 60 }, addItem);
    let load;
    const profile = await cpuProfile(dev.inspectorPort, async () => {
      load = await closedLoop({ concurrency: options.concurrency, count: PROFILED_COMMANDS, seconds: 120 }, (i) => addItem(WARM_UP_COMMANDS + i));
    });
    log(`profile: ${load.ok} add-item commands profiled (${load.errors} errors), ${load.perSecond.toFixed(0)}/s`);
    const command = { commands: load.ok, ...summarise("command", profile, load.ok) };
    // A command that creates its object: the new-aggregates scenario of the pipeline.
    const place = (i) => client.call("POST", `/commands/order/${id}-n${i}/place`, { body: { customerId: "c-profile", items: [{ sku: "tea", quantity: 1, unitPrice: 450 }] } });
    await closedLoop({ concurrency: options.concurrency, count: PROFILED_NEW_AGGREGATES, seconds: 60 }, (i) => place(-1 - i));
    let created;
    const newProfile = await cpuProfile(dev.inspectorPort, async () => {
      created = await closedLoop({ concurrency: options.concurrency, count: PROFILED_NEW_AGGREGATES, seconds: 120 }, place);
    });
    log(`profile: ${created.ok} place commands on new orders profiled (${created.errors} errors), ${created.perSecond.toFixed(0)}/s`);
    return { command, newAggregate: { commands: created.ok, ...summarise("new-aggregate", newProfile, created.ok) } };
  } finally {
    client.close();
    await dev.stop();
  }
}

async function profileProjector(log) {
  const dev = await startWranglerDev(FIXTURE);
  const client = httpClient(dev.url, 4);
  try {
    let run;
    const profile = await profileProjectorRun(
      (path) => client.must("POST", path, { token: "" }),
      { streams: PROJECTOR_STREAMS, size: PROJECTOR_BATCH_SIZE, events: PROFILED_EVENTS },
      (released) => cpuProfile(dev.inspectorPort, async () => {
        run = await released();
      }),
    );
    log(`profile: projector drained ${run.applied} events in ${run.batches} batches (max_batch_size ${PROJECTOR_BATCH_SIZE})`);
    return { events: run.applied, batches: run.batches, ...summarise("projector", profile, run.applied) };
  } finally {
    client.close();
    await dev.stop();
  }
}

/** The profile's breakdown, per unit of work (command or event), and the profile itself on disk. */
function summarise(name, profile, units) {
  const dir = join(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  const bundle = newestBundleMap();
  // The bundle's map goes with the profile: wrangler removes its build directory when it stops.
  if (bundle) writeFileSync(join(dir, `${name}.${bundle.file}.map`), bundle.text);
  const result = breakdown(profile, bundle);
  return {
    profileFile: file,
    busyMs: result.busyMs,
    wallMs: result.wallMs,
    busyMsPerUnit: result.busyMs / Math.max(1, units),
    categories: result.categories.map((c) => ({ ...c, msPerUnit: c.ms / Math.max(1, units) })),
  };
}

/** The bundle wrangler dev built last (each start builds into .wrangler/tmp/dev-*) and its source map. */
function newestBundleMap() {
  const newest = [join(ROOT, ".wrangler/tmp"), join(ROOT, "bench/fixtures/.wrangler/tmp"), join(ROOT, "bench/two-views/.wrangler/tmp")]
    .filter(existsSync)
    .flatMap((dir) => readdirSync(dir).filter((d) => d.startsWith("dev-")).map((d) => join(dir, d)))
    .flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith(".js.map")).map((f) => ({ dir, map: f })))
    .sort((a, b) => statSync(join(b.dir, b.map)).mtimeMs - statSync(join(a.dir, a.map)).mtimeMs)[0];
  return newest ? { file: newest.map.slice(0, -".map".length), text: readFileSync(join(newest.dir, newest.map), "utf8") } : undefined;
}

/** Share of CPU per category, with the time per command or per event. */
export function profileTable({ command, newAggregate, projector }) {
  const table = (part, unit) =>
    markdownTable(
      ["category", "share of busy CPU", `CPU ms per ${unit}`],
      part.categories.filter((c) => c.share >= 0.005).map((c) => [c.category, `${(c.share * 100).toFixed(1)}%`, c.msPerUnit.toFixed(3)]),
    );
  return [
    `**One command** (add-item over ${ORDERS} orders, concurrency 16): ${command.busyMsPerUnit.toFixed(2)} ms of CPU per command in the isolate (the edge, the object, the outbox and the consumers of its events), ${command.commands} commands.`,
    "",
    table(command, "command"),
    "",
    ...(newAggregate
      ? [
          `**One command that creates its aggregate** (place on a new order, concurrency 16): ${newAggregate.busyMsPerUnit.toFixed(2)} ms of CPU per command, ${newAggregate.commands} commands. Creating the object, its SQLite database and its schema is charged to the frames that asked for it: the edge's call to the object (RPC) and the first append (SQLite).`,
          "",
          table(newAggregate, "command"),
          "",
        ]
      : []),
    `**One projector batch** (one projection, max_batch_size ${PROJECTOR_BATCH_SIZE}, ${PROJECTOR_STREAMS} streams): ${projector.busyMsPerUnit.toFixed(3)} ms of CPU per event, ${projector.events} events in ${projector.batches} batches.`,
    "",
    table(projector, "event"),
  ].join("\n");
}
