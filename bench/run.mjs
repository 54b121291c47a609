// `npm run bench`: edge-cqrs against a bare Worker + Durable Object + Queue + D1 pipeline
// (bench/baseline), the projector's throughput, the aggregates' wake-up cost and what a console
// line costs, each part in its own `wrangler dev` on 127.0.0.1. Every loop is bounded by a count and a time.
//
//   npm run bench                                   # pipeline, projector, wake, console: ~10-15 minutes on 2 cores today
//   npm run bench -- --only=pipeline                # one part: pipeline | projector | wake | console | profile | no-inspector
//   npm run bench -- --only=console                 # a console line under wrangler dev and without the inspector (~1.5 min)
//   npm run bench -- --only=profile                 # CPU profiles of commands and a projector drain (not in the default run)
//   npm run bench -- --only=no-inspector            # the pipeline without wrangler's inspector (not in the default run)
//   npm run bench -- --only=new-objects             # what an object's first command costs, and its safety alarm (~8 min, not in the default run)
//   BENCH_SECONDS=2 BENCH_ROUNDS=1 npm run bench    # a smoke run (figures mean little)
//
// Knobs (bench/lib/options.mjs): BENCH_ROUNDS, BENCH_COMMANDS, BENCH_SECONDS, BENCH_CONCURRENCY,
// BENCH_AGGREGATES, BENCH_ITERATIONS, BENCH_PROJECTOR_EVENTS, BENCH_PROJECTOR_STREAMS,
// BENCH_BATCH_SIZES, BENCH_PROJECTOR_ROUNDS, BENCH_WAKE_SIZES, BENCH_WAKE_ROUNDS,
// BENCH_CONSOLE_LINES, BENCH_CONSOLE_ROUNDS, BENCH_NEW_OBJECT_ROUNDS, BENCH_WRITE_DOCS=0 (leave docs/performance.md alone).
import { readOptions } from "./lib/options.mjs";
import { describeRun, stamp, updateDocs, writeResults } from "./lib/report.mjs";
import { runPipeline } from "./pipeline/index.mjs";
import { pipelineTable } from "./pipeline/table.mjs";
import { runProjector, projectorTable } from "./projector/index.mjs";
import { profileTable, runProfile } from "./profile/index.mjs";
import { runWake, wakeTable } from "./wake/index.mjs";
import { NO_INSPECTOR_INFORMATION, NO_INSPECTOR_SYSTEMS } from "./no-inspector/index.mjs";
import { consoleTable, runConsole } from "./console/index.mjs";
import { newObjectsTable, runNewObjects } from "./new-objects/index.mjs";

const options = readOptions();
const run = describeRun();
const log = (line) => console.error(`${new Date().toISOString().slice(11, 19)} ${line}`);
const results = { run, options, parts: {} };
const tables = [];

/** `reduced` says when a part ran below the load: a smoke run, whose figures prove little. */
const PARTS = {
  pipeline: {
    title: "Pipeline: edge-cqrs against the bare pipeline",
    measure: runPipeline,
    table: (r) => pipelineTable(r.summary, options),
    reduced: (o) => o.rounds < 2 || o.commands < 1000 || o.seconds < 30 || o.iterations < 100,
  },
  projector: { title: "Projector throughput", measure: runProjector, table: projectorTable, reduced: (o) => o.projectorEvents < 20_000 },
  profile: { title: "Where the time goes", measure: runProfile, table: profileTable, reduced: () => false },
  "no-inspector": {
    title: "Pipeline without the inspector",
    measure: (o, logTo) => runPipeline(o, logTo, NO_INSPECTOR_SYSTEMS),
    table: (r) => pipelineTable(r.summary, options, NO_INSPECTOR_INFORMATION),
    reduced: (o) => o.rounds < 2 || o.commands < 1000 || o.seconds < 30 || o.iterations < 100,
  },
  wake: { title: "Wake-up cost and memory", measure: runWake, table: wakeTable, reduced: (o) => Math.max(...o.wakeSizes) < 100_000 || o.wakeRounds < 3 },
  console: { title: "What a console line costs under wrangler dev", measure: runConsole, table: consoleTable, reduced: (o) => o.consoleLines < 1000 || o.consoleRounds < 3 },
  "new-objects": { title: "What an object's first command costs", measure: runNewObjects, table: newObjectsTable, reduced: (o) => o.newObjectRounds < 4 || o.commands < 1000 || o.seconds < 30 },
};

for (const name of options.only) {
  const part = PARTS[name];
  log(`${name}: starting`);
  let measured;
  try {
    measured = await part.measure(options, log);
  } catch (error) {
    // One broken part must not cost the others' figures; the run still fails at the end.
    log(`${name}: FAILED: ${error instanceof Error ? error.stack : String(error)}`);
    results.parts[name] = { error: String(error) };
    process.exitCode = 1;
    continue;
  }
  results.parts[name] = measured;
  const smoke = part.reduced(options) ? "**Smoke run with reduced settings: it proves the bench works; its figures are not a measurement.** " : "";
  const markdown = `${smoke}${stamp(run)}\n\n${part.table(measured)}`;
  tables.push(`## ${part.title}\n\n${markdown}`);
  if (options.writeDocs) updateDocs(name, markdown);
}

const file = writeResults(results);
console.log(tables.join("\n\n"));
log(`figures written to ${file}${options.writeDocs ? " and docs/performance.md" : ""}`);
