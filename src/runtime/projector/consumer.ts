/**
 * What consumes one queue. The runtime's queue handler finds the consumer of a batch by the
 * batch's queue name (or dead-letter queue name) and hands the batch over, knowing nothing of
 * what kind of consumer it is: each subscriber kind (projection, process manager, publisher) and
 * the stream catalog is one.
 */
export interface Consumer {
  /** The queue it consumes (`[[queues.consumers]] queue` in wrangler.toml). */
  readonly queue: string;
  /** Its dead-letter queue, whose batches go to {@link consumeDeadLetters}; undefined when it has none. */
  readonly deadLetterQueue?: string | undefined;
  /** Consumes one batch of {@link queue}: settles each message, or throws to have the whole batch retried. */
  consume(batch: MessageBatch<unknown>, env: object): Promise<void>;
  /** Consumes one batch of {@link deadLetterQueue}. */
  consumeDeadLetters?(batch: MessageBatch<unknown>, env: object): Promise<void>;
}
