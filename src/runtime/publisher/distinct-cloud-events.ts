import type { Publisher } from "./define-publisher.js";

/**
 * CloudEvents are unique by (`source`, `id`), and a publisher's ids are its source events' ids.
 * Two publishers with one `source` that both publish the same internal event to the same
 * integration queue would send two CloudEvents under one identity, and its consumer would drop
 * one as a duplicate. Publishers feeding different queues (a queue has one consumer, so each
 * subscribing system has its own) may share a source.
 */
export function assertDistinctCloudEvents(publishers: readonly Publisher[]): void {
  const owners = new Map<string, string>();
  for (const publisher of publishers) {
    for (const { aggregate, from } of publisher.publishes) {
      const key = `${publisher.integrationQueue} ${publisher.source} ${aggregate} ${from}`;
      const other = owners.get(key);
      if (other !== undefined) {
        throw new Error(`publishers ${other} and ${publisher.name} both send ${aggregate} ${from} to ${publisher.integrationQueue} under source ${publisher.source}: give each its own source`);
      }
      owners.set(key, publisher.name);
    }
  }
}
