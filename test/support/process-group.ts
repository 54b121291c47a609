import type { ChildProcess } from "node:child_process";

/**
 * Stops a process spawned with `detached: true` together with everything it started: it leads a
 * process group of its own, and `wrangler dev` forks workerd processes that a kill of the parent
 * alone would leave running.
 */
export function stopProcessGroup(child: ChildProcess | undefined): void {
  if (child?.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
