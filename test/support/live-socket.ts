/**
 * Accepts a live-stream WebSocket and collects its messages as parsed JSON, with a way to wait
 * until `count` have arrived (the test's own timeout bounds the wait).
 */
export function collectMessages<T>(socket: WebSocket) {
  const received: T[] = [];
  const waiters: (() => void)[] = [];
  socket.addEventListener("message", (event) => {
    received.push(JSON.parse(event.data as string) as T);
    waiters.splice(0).forEach((wake) => wake());
  });
  socket.accept();
  const untilCount = async (count: number): Promise<T[]> => {
    while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    return received;
  };
  return { socket, received, untilCount };
}
