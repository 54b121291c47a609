/** How often {@link eventually} reads again: often enough that a test waits little past the effect. */
const POLL_MS = 50;

/**
 * Reads `read` until `done` holds, and returns what it read then: for an effect that lands after
 * the request that caused it (a queue delivery, an alarm, a process manager's command). Fails
 * after `timeoutMs` with `what` and the last value read.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
