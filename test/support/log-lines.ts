import { vi, type MockInstance } from "vitest";

/** One structured line the runtime wrote (docs/operations.md, "Logs"), parsed. */
export type LogLine = Record<string, any> & { level: string; event: string; msg: string };

/**
 * Captures the runtime's JSON log lines as they are written, from the Worker and from its Durable
 * Objects alike (tests and objects share one isolate). The console still prints them.
 */
export class LogLines {
  private spies: MockInstance[] = [];

  install(): void {
    this.spies = (["log", "warn", "error"] as const).map((method) => vi.spyOn(console, method));
  }

  restore(): void {
    for (const spy of this.spies) spy.mockRestore();
    this.spies = [];
  }

  /** Every structured line so far, in order; lines that are not JSON objects are left out. */
  all(): LogLine[] {
    return this.spies.flatMap((spy) => spy.mock.calls.map((args, i) => ({ args, order: spy.mock.invocationCallOrder[i]! })))
      .sort((a, b) => a.order - b.order)
      .flatMap(({ args }) => {
        const [first] = args as unknown[];
        if (typeof first !== "string" || !first.startsWith("{")) return [];
        try {
          return [JSON.parse(first) as LogLine];
        } catch {
          return [];
        }
      });
  }

  /** The lines of one `event`, optionally only those matching `where`. */
  of(event: string, where: (line: LogLine) => boolean = () => true): LogLine[] {
    return this.all().filter((line) => line.event === event && where(line));
  }

  /** Waits (up to `timeoutMs`) for a line of `event` matching `where`, written by a queue consumer in the background. */
  async waitFor(event: string, where: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of(event, where)[0];
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${event} line matched within ${timeoutMs} ms; lines: ${JSON.stringify(this.all().map((l) => l.msg))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
