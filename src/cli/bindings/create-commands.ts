import { requirementsOf, type Manifest } from "../../runtime/manifest/index.js";
import type { ProjectConfig } from "../project/index.js";

/**
 * The wrangler commands that create, once per account, what the manifest names but a deploy does
 * not create: the D1 databases, every queue (dead-letter queues and the stream catalog's included)
 * and the secrets. Names the configuration already gives (a database_name, the queue behind an
 * integration-events producer) are taken from it.
 */
export function createCommands(manifest: Manifest, config: ProjectConfig): string[] {
  const databases = requirementsOf(manifest, "d1-database").map((d) => {
    const name = config.d1_databases.find((c) => c.binding === d.name)?.database_name ?? d.block.entry.database_name ?? d.name;
    return `npx wrangler d1 create ${String(name)}`;
  });
  const queues = new Set<string>();
  const unnamed: string[] = [];
  for (const r of manifest) {
    if (r.kind === "queue-consumer" || r.kind === "dead-letter-consumer") queues.add(r.name);
    if (r.kind !== "queue-producer") continue;
    const queue = r.queue ?? (config.queues.producers ?? []).find((p) => p.binding === r.name)?.queue;
    if (queue === undefined) unnamed.push(`npx wrangler queues create <the queue ${r.name} sends to>`);
    else queues.add(queue);
  }
  return [...databases, ...[...queues].map((q) => `npx wrangler queues create ${q}`), ...unnamed, ...requirementsOf(manifest, "secret").map((s) => s.command)];
}
