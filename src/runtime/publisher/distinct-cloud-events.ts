import type { Publisher } from "./define-publisher";

/**
 * CloudEvents are unique by (`source`, `id`), and a publisher's ids are its source events' ids.
 * Two publishers with one `source` that both publish the same internal event would send two
 * different CloudEvents under one identity, and consumers would drop one as a duplicate.
 */
export function assertDistinctCloudEvents(publishers: readonly Publisher[]): void {
  const owners = new Map<string, string>();
  for (const publisher of publishers) {
    for (const { aggregate, from } of publisher.publishes) {
      const key = `${publisher.source} ${aggregate} ${from}`;
      const other = owners.get(key);
      if (other !== undefined) {
        throw new Error(`publishers ${other} and ${publisher.name} both publish ${aggregate} ${from} under source ${publisher.source}: give each its own source`);
      }
      owners.set(key, publisher.name);
    }
  }
}
