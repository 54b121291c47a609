import { requirementsOf, type Manifest } from "../../runtime/manifest/index.js";
import type { ProjectConfig } from "../project/index.js";
import { error, type Problem } from "./problem.js";

/**
 * The Analytics Engine dataset binding the application names for its metrics (`bindings.metrics`).
 * Without it the runtime writes no metrics and logs that once; named and missing is a mistake.
 */
export function checkMetrics(config: ProjectConfig, manifest: Manifest): Problem[] {
  return requirementsOf(manifest, "analytics-engine-dataset")
    .filter((required) => !(config.analytics_engine_datasets ?? []).some((d) => d.binding === required.name))
    .map((required) =>
      error("metrics-binding-missing", `Analytics Engine binding ${required.name} (the application's bindings.metrics) is missing: no metrics are written`, {
        kind: "add",
        section: required.block.section,
        entry: required.block.entry,
        ...(required.note === undefined ? {} : { note: required.note }),
      }),
    );
}
