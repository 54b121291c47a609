import { CommittedCheckpoints, ConsistencyWaits } from "../consistency/index.js";
import { MetricsBinding } from "../observability/index.js";
import { RuntimeTables } from "../runtime-tables/index.js";
import { EnvChecks } from "./env-checks.js";
import { RebuildMemory } from "./rebuild-memory.js";

/** What a runtime's context is made from: the application's and the options' settings. */
export interface RuntimeContextOptions {
  /** The Analytics Engine binding the application writes metrics to (`bindings.metrics`), if any. */
  readonly metricsBinding?: string | undefined;
  /** Share of traces whose info log lines are written (`RuntimeOptions.logs.sampleRate`). Default 1. */
  readonly logSampleRate?: number;
}

/**
 * Everything one `createRuntime` owns beyond its definitions: the settings every part reads and
 * the memory every part keeps. It is made once per runtime and handed down to the HTTP routes,
 * the queue consumers, the cron's sweep and the Durable Object hosts, so two runtimes in one
 * isolate share nothing (docs/decisions.md, H7). The memory is only ever a shortcut in front of
 * D1 or the platform: losing it (a new isolate) costs reads, never correctness.
 */
export class RuntimeContext {
  /** Where metrics go: the dataset binding, and whether its absence was reported yet. */
  readonly metrics: MetricsBinding;
  /** Share of traces whose info log lines are written; warnings and errors always are. */
  readonly logSampleRate: number;
  /** The checkpoints this runtime's projections and process managers committed (docs/decisions.md, B8). */
  readonly committed = new CommittedCheckpoints();
  /** The consistency waits of this runtime's queries: their slots, answered from {@link committed} when they can be. */
  readonly consistency = new ConsistencyWaits(this.committed);
  /** Projections last found with no rebuild running, and those already checked against their definition. */
  readonly rebuilds = new RebuildMemory();
  /** The read databases whose runtime tables are known to be current. */
  readonly tables = new RuntimeTables();
  /** What each Worker `env` was found to lack. */
  readonly envChecks = new EnvChecks();

  constructor({ metricsBinding, logSampleRate = 1 }: RuntimeContextOptions = {}) {
    this.metrics = new MetricsBinding(metricsBinding);
    this.logSampleRate = logSampleRate;
  }
}
