// Memory of the local runtime, read from /proc: workerd runs every object of a `wrangler dev` in
// one process, so an object's cost shows as that process's resident set growing while it wakes.
import { readdirSync, readFileSync } from "node:fs";

/** Often enough to catch a wake's peak, which lasts as long as the fold (tens of ms at least). */
const SAMPLE_MS = 2;

/** The workerd processes in a process group (the group `wrangler dev` was started in), or [] without /proc. */
export function workerdPids(group) {
  if (group === undefined) return [];
  try {
    return readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
          const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          return stat.includes("(workerd)") && Number(afterName[2]) === group;
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/** Resident set of the processes in bytes (VmRSS), or NaN when it cannot be read. */
export function residentBytes(pids) {
  if (pids.length === 0) return NaN;
  let total = 0;
  for (const pid of pids) {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (!match) return NaN;
    total += Number(match[1]) * 1024;
  }
  return total;
}

/** Samples the resident set while `work` runs; returns its result with the peak growth in bytes. */
export async function peakGrowthDuring(pids, work) {
  const before = residentBytes(pids);
  let peak = before;
  const timer = setInterval(() => {
    const now = residentBytes(pids);
    if (now > peak) peak = now;
  }, SAMPLE_MS);
  try {
    const result = await work();
    const after = residentBytes(pids);
    return { result, beforeBytes: before, peakGrowthBytes: Math.max(peak, after) - before, afterBytes: after };
  } finally {
    clearInterval(timer);
  }
}
