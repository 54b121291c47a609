// The bench's knobs, from the environment and `--only=`; every one bounds a loop in count or time.

/** Parts of the bench that can run alone: `npm run bench -- --only=pipeline,wake` or BENCH_ONLY. */
export const PARTS = ["pipeline", "projector", "wake", "console", "profile", "no-inspector", "new-objects"];
/**
 * What `npm run bench` runs without `--only`: the figures, and what a console line costs (about a
 * minute). The CPU profile and the no-inspector pipeline comparison are asked for by name.
 */
const DEFAULT_PARTS = ["pipeline", "projector", "wake", "console"];

export function readOptions(argv = process.argv.slice(2), env = process.env) {
  const onlyArg = argv.find((a) => a.startsWith("--only="))?.slice("--only=".length) ?? env.BENCH_ONLY ?? "";
  const only = onlyArg ? onlyArg.split(",").map((p) => p.trim()) : DEFAULT_PARTS;
  const unknown = only.filter((p) => !PARTS.includes(p));
  if (unknown.length > 0) throw new Error(`--only: unknown part ${unknown.join(", ")} (choose from ${PARTS.join(", ")})`);
  const num = (name, fallback) => positiveNumber(env, name, fallback);
  const list = (name, fallback) => (env[name] ? env[name].split(",").map((v) => positiveNumber({ [name]: v.trim() }, name, 0)) : fallback);
  return {
    only,
    /** A/B rounds of the pipeline scenarios; each round runs every scenario on both systems. */
    rounds: num("BENCH_ROUNDS", 2),
    /** Commands per throughput phase (the 1,000) … */
    commands: num("BENCH_COMMANDS", 1000),
    /** … unless this many seconds pass first. */
    seconds: num("BENCH_SECONDS", 30),
    concurrency: num("BENCH_CONCURRENCY", 16),
    aggregates: num("BENCH_AGGREGATES", 50),
    /** Sequential write→read iterations per round and system. */
    iterations: num("BENCH_ITERATIONS", 100),
    /** Projector: events per run, the stream counts, and the consumers' max_batch_size values to try. */
    projectorEvents: num("BENCH_PROJECTOR_EVENTS", 20_000),
    projectorStreams: list("BENCH_PROJECTOR_STREAMS", [1000, 10]),
    batchSizes: list("BENCH_BATCH_SIZES", [10, 50, 100]),
    /** One round by default: at the slowest batch size a run of 20,000 events takes over a minute today. */
    projectorRounds: num("BENCH_PROJECTOR_ROUNDS", 1),
    /** Wake: stream lengths, and how many cold restarts to median over. */
    wakeSizes: list("BENCH_WAKE_SIZES", [10, 1_000, 10_000, 100_000]),
    wakeRounds: num("BENCH_WAKE_ROUNDS", 3),
    /** Console: lines per request, and requests of each line length to median over (bounded by time too). */
    consoleLines: num("BENCH_CONSOLE_LINES", 1_000),
    consoleRounds: num("BENCH_CONSOLE_ROUNDS", 7),
    /** New objects: rounds of the new-aggregates phase on each system (the noisiest scenario, so more than the pipeline's). */
    newObjectRounds: num("BENCH_NEW_OBJECT_ROUNDS", 6),
    writeDocs: env.BENCH_WRITE_DOCS !== "0",
  };
}

function positiveNumber(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}
