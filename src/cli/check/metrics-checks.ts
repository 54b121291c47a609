import type { ApplicationDescriptor, ProjectConfig } from "../project/index.js";
import { error, type Problem } from "./problem.js";

/**
 * The Analytics Engine dataset binding the application names for its metrics (`bindings.metrics`).
 * Without it the runtime writes no metrics and logs that once; named and missing is a mistake.
 */
export function checkMetrics(config: ProjectConfig, app: ApplicationDescriptor): Problem[] {
  const binding = app.metricsBinding;
  if (binding === undefined || (config.analytics_engine_datasets ?? []).some((d) => d.binding === binding)) return [];
  return [
    error("metrics-binding-missing", `Analytics Engine binding ${binding} (the application's bindings.metrics) is missing: no metrics are written`, {
      kind: "add",
      section: "analytics_engine_datasets",
      entry: { binding, dataset: "edge_cqrs_metrics" },
      note: "The dataset is created by the first write; its name is what Analytics Engine SQL queries read FROM.",
    }),
  ];
}
