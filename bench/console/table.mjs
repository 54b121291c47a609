// What a console line costs, as markdown: the time per line on each server and their ratio, then
// where the CPU went, by program.
import { markdownTable } from "../lib/report.mjs";

const us = (v) => (Number.isFinite(v) ? `${v.toFixed(v < 100 ? 1 : 0)} µs` : "n/a");
const times = (v) => (Number.isFinite(v) ? `${v.toFixed(1)}×` : "n/a");
const total = (cpu) => (Object.keys(cpu).length > 0 ? Object.values(cpu).reduce((a, b) => a + b, 0) : NaN);

export function consoleTable({ lines, summary }) {
  const label = (row) => `console.log, ${Math.round(row.inspector.bytes || row.plain.bytes)} bytes`;
  const timing = markdownTable(
    ["line", "wrangler dev: to the answer", "wrangler dev: until it answers again", "no inspector: to the answer", "no inspector: until it answers again", "wrangler dev ÷ no inspector"],
    summary.map((row) => [
      label(row),
      us(row.inspector.answeredUs),
      `**${us(row.inspector.settledUs)}**`,
      us(row.plain.answeredUs),
      `**${us(row.plain.settledUs)}**`,
      `**${times(row.inspector.settledUs / row.plain.settledUs)}**`,
    ]),
  );
  const cpu = markdownTable(
    ["line", "server", "workerd (the Worker's, and wrangler's proxy)", "node (wrangler)", "all its processes"],
    summary.flatMap((row) => [
      [label(row), "wrangler dev", us(row.inspector.cpuUs.workerd), us(row.inspector.cpuUs.node), us(total(row.inspector.cpuUs))],
      ["", "no inspector", us(row.plain.cpuUs.workerd), us(row.plain.cpuUs.node), us(total(row.plain.cpuUs))],
    ]),
  );
  const rounds = Math.min(...summary.flatMap((row) => [row.inspector.rounds, row.plain.rounds]));
  return [
    `Microseconds per line: medians of ${rounds} requests of ${lines.toLocaleString("en")} lines each, less the same loop without the console call. "Until it answers again" runs to the answer of the next, empty request, which waits for what the lines left behind; the ratio is of that figure.`,
    timing,
    `CPU per line: the time every thread of the server ran (/proc, schedstat) from the request until the server is idle again, less the same for the loop without the console call. Without an inspector wrangler's dev server runs in a Node process of its own (bench/no-inspector/serve.mjs).`,
    cpu,
  ].join("\n\n");
}
