// The pipeline comparison as a markdown table: medians per system, then edge-cqrs against the baseline.
import { markdownTable } from "../lib/report.mjs";
import { GOALS } from "./index.mjs";

const fixed = (v, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : "n/a");
const msText = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : "n/a");
const added = (v) => (Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(1)} ms` : "n/a");
const verdict = (met) => (met ? "met" : "**not met**");

export function pipelineTable(summary, options) {
  const rows = [];
  const titles = {
    many: `many aggregates (${options.aggregates} orders, ${options.concurrency} clients, add-item)`,
    hot: `one hot aggregate (${options.concurrency} clients, add-item)`,
    new: `new aggregates (${options.concurrency} clients, place on a new order)`,
  };
  for (const key of ["many", "hot", "new"]) {
    const s = summary[key];
    rows.push([titles[key], "commands/s", fixed(s.baseline.perSecond), fixed(s.edge.perSecond), `**${fixed(s.throughputRatio, 2)}×**`, `≥ ${GOALS.throughputRatio}× ${verdict(s.throughputRatio >= GOALS.throughputRatio)}`]);
    rows.push(["", "command p50", msText(s.baseline.p50), msText(s.edge.p50), `${fixed(s.p50Ratio, 2)}×`, ""]);
    rows.push(["", "command p99", msText(s.baseline.p99), msText(s.edge.p99), `${fixed(s.edge.p99 / s.baseline.p99, 2)}×`, ""]);
    rows.push(["", "view caught up after the phase", msText(s.baseline.drainMs), msText(s.edge.drainMs), "", ""]);
    if (s.edge.errors + s.baseline.errors > 0) rows.push(["", "failed commands (all rounds)", String(s.baseline.errors), String(s.edge.errors), "", ""]);
  }
  const rw = summary.writeRead;
  const title = "write→read (1 client: add-item, then `GET /orders/:id?consistentWith=`)";
  rows.push([title, "command sent → view shows it, p50", msText(rw.baseline.totalP50), msText(rw.edge.totalP50), `**${added(rw.totalP50AddedMs)}**`, `≤ +${GOALS.writeReadP50AddedMs} ms ${verdict(rw.totalP50AddedMs <= GOALS.writeReadP50AddedMs)}`]);
  rows.push(["", "… p99", msText(rw.baseline.totalP99), msText(rw.edge.totalP99), `**${added(rw.totalP99AddedMs)}**`, `≤ +${GOALS.writeReadP99AddedMs} ms ${verdict(rw.totalP99AddedMs <= GOALS.writeReadP99AddedMs)}`]);
  rows.push(["", "the view's wait alone, p50 / p99", `${msText(rw.baseline.readP50)} / ${msText(rw.baseline.readP99)}`, `${msText(rw.edge.readP50)} / ${msText(rw.edge.readP99)}`, `${added(rw.readP50AddedMs)} / ${added(rw.readP99AddedMs)}`, ""]);
  if (rw.edge.errors + rw.baseline.errors > 0) rows.push(["", "failed iterations (all rounds)", String(rw.baseline.errors), String(rw.edge.errors), "", ""]);
  return markdownTable(["scenario", "figure (median of rounds)", "bare pipeline", "edge-cqrs", "edge-cqrs vs bare", "goal"], rows);
}
