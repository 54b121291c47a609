// The new-objects part as a markdown table: one row per system, each against the bare pipeline.
import { markdownTable } from "../lib/report.mjs";
import { NEW_OBJECT_SYSTEMS } from "./index.mjs";

const fixed = (v, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : "n/a");

export function newObjectsTable(measured) {
  const { summary } = measured;
  const rows = NEW_OBJECT_SYSTEMS.map(({ key, name }) => {
    const s = summary[key];
    const calls = s.syscalls;
    return [
      name,
      fixed(s.perSecond),
      key === "baseline" ? "1.00×" : `**${fixed(s.ratio, 2)}×**`,
      s.roundRatios.map((r) => fixed(r, 2)).join(", "),
      `${fixed(s.p50, 1)} ms`,
      fixed(s.workerdMsPerObject, 2),
      calls ? `${fixed(calls.fsync + calls.fdatasync, 1)} / ${fixed(calls.pwrite64, 0)} / ${fixed(calls.openat, 1)}` : "not measured",
      String(s.errors),
    ];
  });
  return markdownTable(
    [
      "system (no inspector)",
      "commands/s (median of rounds)",
      "vs bare",
      "each round vs bare",
      "command p50",
      "workerd CPU ms per object",
      "per object under strace: fsync / pwrite / openat",
      "failed commands",
    ],
    rows,
  );
}
