// The pipeline comparison as a markdown table: medians per system, each edge-cqrs variant against the baseline.
import { markdownTable } from "../lib/report.mjs";
import { GOALS } from "./index.mjs";

const fixed = (v, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : "n/a");
const msText = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : "n/a");
const added = (v) => (Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(1)} ms` : "n/a");
const verdict = (met) => (met ? "met" : "**not met**");

/** The informational variants, each as two columns (its figure, and against the bare pipeline). */
export const INFORMATION = [
  { key: "quiet", title: "two views, info log lines sampled out" },
  { key: "example", title: "the whole example (four subscribers)" },
];

export function pipelineTable(summary, options, information = INFORMATION) {
  const rows = [];
  const titles = {
    many: `many aggregates (${options.aggregates} orders, ${options.concurrency} clients, add-item)`,
    hot: `one hot aggregate (${options.concurrency} clients, add-item)`,
    new: `new aggregates (${options.concurrency} clients, place on a new order)`,
  };
  const beside = (cells) => information.flatMap(({ key }) => cells(key));
  for (const key of ["many", "hot", "new"]) {
    const s = summary[key];
    const { baseline: b, edge: e } = s;
    rows.push([titles[key], "commands/s", fixed(b.perSecond), fixed(e.perSecond), `**${fixed(e.throughputRatio, 2)}×**`, `≥ ${GOALS.throughputRatio}× ${verdict(e.throughputRatio >= GOALS.throughputRatio)}`, ...beside((v) => [fixed(s[v].perSecond), `${fixed(s[v].throughputRatio, 2)}×`])]);
    rows.push(["", "command p50", msText(b.p50), msText(e.p50), `${fixed(e.p50Ratio, 2)}×`, "", ...beside((v) => [msText(s[v].p50), `${fixed(s[v].p50Ratio, 2)}×`])]);
    rows.push(["", "command p99", msText(b.p99), msText(e.p99), `${fixed(e.p99 / b.p99, 2)}×`, "", ...beside((v) => [msText(s[v].p99), `${fixed(s[v].p99 / b.p99, 2)}×`])]);
    rows.push(["", "view caught up after the phase", msText(b.drainMs), msText(e.drainMs), "", "", ...beside((v) => [msText(s[v].drainMs), ""])]);
    const errors = b.errors + e.errors + information.reduce((n, { key: v }) => n + s[v].errors, 0);
    if (errors > 0) rows.push(["", "failed commands (all rounds)", String(b.errors), String(e.errors), "", "", ...beside((v) => [String(s[v].errors), ""])]);
  }
  const w = summary.writeRead;
  const { baseline: b, edge: e } = w;
  const title = "write→read (1 client: add-item, then `GET /orders/:id?consistentWith=`)";
  rows.push([title, "command sent → view shows it, p50", msText(b.totalP50), msText(e.totalP50), `**${added(e.totalP50AddedMs)}**`, `≤ +${GOALS.writeReadP50AddedMs} ms ${verdict(e.totalP50AddedMs <= GOALS.writeReadP50AddedMs)}`, ...beside((v) => [msText(w[v].totalP50), added(w[v].totalP50AddedMs)])]);
  rows.push(["", "… p99", msText(b.totalP99), msText(e.totalP99), `**${added(e.totalP99AddedMs)}**`, `≤ +${GOALS.writeReadP99AddedMs} ms ${verdict(e.totalP99AddedMs <= GOALS.writeReadP99AddedMs)}`, ...beside((v) => [msText(w[v].totalP99), added(w[v].totalP99AddedMs)])]);
  rows.push(["", "the view's wait alone, p50 / p99", `${msText(b.readP50)} / ${msText(b.readP99)}`, `${msText(e.readP50)} / ${msText(e.readP99)}`, `${added(e.readP50AddedMs)} / ${added(e.readP99AddedMs)}`, "", ...beside((v) => [`${msText(w[v].readP50)} / ${msText(w[v].readP99)}`, `${added(w[v].readP50AddedMs)} / ${added(w[v].readP99AddedMs)}`])]);
  const errors = b.errors + e.errors + information.reduce((n, { key: v }) => n + w[v].errors, 0);
  if (errors > 0) rows.push(["", "failed iterations (all rounds)", String(b.errors), String(e.errors), "", "", ...beside((v) => [String(w[v].errors), ""])]);
  return markdownTable(
    [
      "scenario",
      "figure (median of rounds)",
      "bare pipeline",
      "edge-cqrs, two views (the baseline's fan-out)",
      "edge-cqrs vs bare",
      "goal",
      ...information.flatMap(({ title }) => [title, "vs bare"]),
    ],
    rows,
  );
}
