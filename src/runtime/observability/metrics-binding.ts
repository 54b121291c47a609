import { Metrics, type MetricsDataset } from "./metrics.js";
import { writeLog } from "./structured-log.js";

/**
 * The application's metrics dataset (`bindings.metrics`) as one runtime finds it in each Worker
 * `env`. It remembers whether it already said the binding is missing, so the warning is written
 * once per runtime rather than per command or batch; each runtime has its own (RuntimeContext).
 */
export class MetricsBinding {
  private reportedMissing = false;

  /** `binding`: the name of the Analytics Engine dataset binding, or undefined when the application names none. */
  constructor(readonly binding: string | undefined) {}

  /**
   * The metrics of a Worker's `env`: the dataset bound as {@link binding}, or {@link Metrics.none}
   * when no binding is named. A named binding missing from `env` is logged once and written to
   * nowhere, rather than failing the command that would have been counted.
   */
  of(env: object): Metrics {
    if (this.binding === undefined) return Metrics.none;
    const dataset = (env as Record<string, unknown>)[this.binding] as MetricsDataset | undefined;
    if (dataset && typeof dataset.writeDataPoint === "function") return new Metrics(dataset);
    if (!this.reportedMissing) {
      this.reportedMissing = true;
      writeLog("warn", {
        event: "metrics.binding-missing",
        msg: `Analytics Engine binding ${this.binding} (the application's bindings.metrics) is missing: no metrics are written`,
        binding: this.binding,
      });
    }
    return Metrics.none;
  }
}
