// CPU time of a local dev server, read from /proc: a console line under `wrangler dev` is not
// only the isolate's work. The inspector's message is parsed again by wrangler's inspector proxy
// (another workerd) and by wrangler's Node process, partly after the request has answered, on the
// same cores. Summing every thread of the server, by program, shows where that work lands.
import { readdirSync, readFileSync } from "node:fs";

/** How often the server's CPU time is read while waiting for it to go idle. */
const POLL_MS = 100;
/** Less than this much CPU in one poll means idle: 5% of a core, above the noise of timers and keep-alives. */
const IDLE_MS_PER_POLL = 5;
/** Work left over after this long is not one request's any more: the wait gives up. */
const IDLE_TIMEOUT_MS = 15_000;

/** `root` and every process below it, each with its program name (`workerd`, `node`, …); [] without /proc. */
export function processTree(root) {
  const processes = readProcesses();
  const tree = processes.filter((p) => p.pid === root);
  for (let i = 0; i < tree.length; i++) tree.push(...processes.filter((p) => p.ppid === tree[i].pid));
  return tree.map(({ pid, name }) => ({ pid, name }));
}

/**
 * The CPU time of every thread of `tree` so far (`/proc/PID/task/TID/schedstat`, in ns: the tick
 * counts of /proc/PID/stat are too coarse for a few microseconds a line); null without /proc.
 * @returns {Map<string, { program: string, ns: number }> | null} by `PID/TID`
 */
export function readCpu(tree) {
  if (tree.length === 0) return null;
  const threads = new Map();
  for (const { pid, name } of tree) {
    let tids;
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // The process is gone: what it did since the last reading is lost with it.
    }
    for (const tid of tids) {
      const ns = readRunTime(`/proc/${pid}/task/${tid}/schedstat`);
      if (ns !== null) threads.set(`${pid}/${tid}`, { program: name, ns });
    }
  }
  return threads;
}

/** Waits until the threads of `tree` stop working, then returns {@link readCpu}'s reading; null if they never do. */
export async function readCpuWhenIdle(tree) {
  const deadline = Date.now() + IDLE_TIMEOUT_MS;
  let last = readCpu(tree);
  while (last !== null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const now = readCpu(tree);
    const busyMs = sum(cpuSpent(last, now));
    last = now;
    if (busyMs < IDLE_MS_PER_POLL) return now;
  }
  return null;
}

/**
 * CPU time each program spent between two readings, in ms, e.g. `{ workerd: 812.5, node: 1304.2 }`.
 * A thread born in between counts from zero; one that ended in between is lost. Null when a reading is.
 */
export function cpuSpent(before, after) {
  if (before === null || after === null) return null;
  const byProgram = {};
  for (const [thread, { program, ns }] of after) {
    byProgram[program] = (byProgram[program] ?? 0) + (ns - (before.get(thread)?.ns ?? 0)) / 1e6;
  }
  return byProgram;
}

export const sum = (byProgram) => (byProgram === null ? NaN : Object.values(byProgram).reduce((a, b) => a + b, 0));

function readProcesses() {
  let pids;
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  return pids.flatMap((pid) => {
    try {
      // The program name is in parentheses and may hold spaces: the fields start after the last ")".
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      return [{ pid: Number(pid), ppid, name: stat.slice(stat.indexOf("(") + 1, close) }];
    } catch {
      return [];
    }
  });
}

/** The first field of a schedstat file: time spent running, in ns. */
function readRunTime(file) {
  try {
    return Number(readFileSync(file, "utf8").split(" ")[0]);
  } catch {
    return null;
  }
}
