import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES } from "./outbox-dispatcher.js";

/**
 * Consecutive runs of `items` that each fit one `sendBatch`: at most {@link MAX_BATCH_MESSAGES}
 * messages and {@link MAX_BATCH_BYTES} bytes (an item larger than the budget travels alone).
 * Everything that sends many messages to a queue chunks them here.
 */
export function sendBatches<T extends { readonly bytes: number }>(items: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length === MAX_BATCH_MESSAGES || (current.length > 0 && bytes + item.bytes > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
