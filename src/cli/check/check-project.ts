import type { Manifest } from "../../runtime/manifest/index.js";
import type { LocalMigrationState, ProjectConfig } from "../project/index.js";
import { checkD1Bindings, checkLocalMigrations } from "./d1-checks.js";
import { checkDurableObjects, checkProcessManagerObjects } from "./durable-object-checks.js";
import { checkMetrics } from "./metrics-checks.js";
import type { Problem } from "./problem.js";
import { checkQueues } from "./queue-checks.js";
import { checkSecrets } from "./secret-checks.js";
import { checkStreamCatalog } from "./stream-catalog-checks.js";

/** Everything `check` looks at, already read from disk: the checks themselves do no I/O. */
export interface ProjectSnapshot {
  readonly config: ProjectConfig;
  /** What the application needs (`manifestOf` the loaded application). */
  readonly manifest: Manifest;
  /** Names the local secrets file defines (.dev.vars, or .env when there is no .dev.vars). */
  readonly localSecrets: readonly string[];
  /** Per D1 binding, the local migration state; empty when there is no local state to compare with. */
  readonly localMigrations: readonly LocalMigrationState[];
}

/**
 * Every problem between a wrangler configuration and the manifest of the application it serves,
 * each with the block that fixes it. Errors first, in the order the configuration is usually read.
 */
export function checkProject(project: ProjectSnapshot): Problem[] {
  const problems = [
    ...checkDurableObjects(project.config, project.manifest),
    ...checkProcessManagerObjects(project.config, project.manifest),
    ...checkQueues(project.config, project.manifest),
    ...checkStreamCatalog(project.config, project.manifest),
    ...checkD1Bindings(project.config, project.manifest),
    ...checkLocalMigrations(project.localMigrations),
    ...checkSecrets(project.config, project.manifest, project.localSecrets),
    ...checkMetrics(project.config, project.manifest),
  ];
  return [...problems.filter((p) => p.severity === "error"), ...problems.filter((p) => p.severity === "warning")];
}
