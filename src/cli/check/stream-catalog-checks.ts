import { requirementsOf, type Manifest } from "../../runtime/manifest/index.js";
import type { ProjectConfig } from "../project/index.js";
import { checkSettings, consumerEntry } from "./consumer-checks.js";
import { error, warning, type Problem } from "./problem.js";
import { checkProducer } from "./queue-checks.js";

/**
 * The stream catalog's producer and consumer, and the cron trigger of the sweep: the manifest
 * requires them as soon as the application has a subscriber (the catalog lives in the
 * subscribers' databases).
 */
export function checkStreamCatalog(config: ProjectConfig, manifest: Manifest): Problem[] {
  const problems: Problem[] = [];
  for (const required of requirementsOf(manifest, "queue-producer").filter((r) => r.role === "stream catalog")) {
    problems.push(
      ...checkProducer(required, config.queues.producers ?? [], {
        code: "stream-catalog-producer-missing",
        consequence: "the outbox cannot record streams in the stream catalog",
      }),
    );
  }
  for (const required of requirementsOf(manifest, "queue-consumer").filter((r) => r.role === "stream catalog")) {
    const consumer = (config.queues.consumers ?? []).find((c) => c.queue === required.name);
    if (!consumer) {
      problems.push(
        error("stream-catalog-consumer-missing", `queue consumer for ${required.name} is missing: no stream ever reaches the stream catalog`, {
          kind: "add",
          section: required.block.section,
          entry: required.block.entry,
        }),
      );
    } else {
      problems.push(...checkSettings(consumer, { ...required.block.entry, ...consumerEntry(consumer) }));
    }
  }
  for (const cron of requirementsOf(manifest, "cron-trigger")) {
    if ((config.triggers?.crons ?? []).length > 0) continue;
    problems.push(
      warning(
        "stream-sweep-cron-missing",
        `no cron trigger: streams a lost message left behind are never swept. Add [triggers] crons = ["${cron.name}"] and export the runtime's scheduled handler`,
      ),
    );
  }
  return problems;
}
