// `GET /?lines=N&length=L&kind=log` writes N console lines of about L bytes in one synchronous
// turn, then answers. The bench times the request from outside: a Worker's clocks do not advance
// while its code runs, so the isolate cannot time its own loop.

/** What each of the N iterations does with its line. */
const KINDS = {
  /** Builds and stringifies the line, and drops it: the loop's own cost, subtracted from the others. */
  none: () => {},
  /** The runtime's info lines, its per-command line among them, go to console.log. */
  log: (line: string) => console.log(line),
} satisfies Record<string, (line: string) => void>;

/** Bounds that keep a mistyped query from holding the isolate for minutes. */
const MAX_LINES = 100_000;
const MAX_LENGTH = 100_000;

export default {
  fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    const lines = Number(url.searchParams.get("lines") ?? 1);
    const length = Number(url.searchParams.get("length") ?? 600);
    const kind = url.searchParams.get("kind") ?? "log";
    if (!Number.isInteger(lines) || lines < 0 || lines > MAX_LINES) return new Response(`lines: 0 to ${MAX_LINES}`, { status: 400 });
    if (!Number.isInteger(length) || length < 0 || length > MAX_LENGTH) return new Response(`length: 0 to ${MAX_LENGTH}`, { status: 400 });
    if (!Object.hasOwn(KINDS, kind)) return new Response(`kind: one of ${Object.keys(KINDS).join(", ")}`, { status: 400 });
    const write = KINDS[kind as keyof typeof KINDS];
    const padding = "x".repeat(Math.max(0, length - JSON.stringify(commandLine(0, "")).length));
    // The summed lengths go into the answer, so no engine can drop the `none` loop's work as dead.
    let bytes = 0;
    for (let i = 0; i < lines; i++) {
      const line = JSON.stringify(commandLine(i, padding));
      bytes += line.length;
      write(line);
    }
    return Response.json({ kind, lines, bytes });
  },
} satisfies ExportedHandler;

/**
 * Starts like the runtime's per-command line (src/runtime/observability/command-report.ts), each one
 * different; the padding makes up the rest of the length. Few fields, so even a 100-byte line fits:
 * the console receives one string either way, and its cost follows the string, not the fields.
 */
function commandLine(i: number, padding: string) {
  return { level: "info", event: "command", msg: `order/o-${i} add-item: accepted at version ${i}`, padding };
}
