import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { projectError } from "../cli-error.js";

/** What a captured wrangler run printed, and how it ended. */
export interface WranglerResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

// No prompts (stdin is not a TTY, so wrangler takes its non-interactive answers), no telemetry,
// and no colour codes in output that is parsed.
const CHILD_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" };

/**
 * Runs the project's own wrangler (a peer dependency) with this Node: no npx lookup, and the
 * same version `wrangler dev` uses. `inherit` shows its output to the user as it runs.
 */
export function runWrangler(args: readonly string[], { cwd, inherit = false }: { cwd: string; inherit?: boolean }): Promise<WranglerResult> {
  const bin = wranglerBin(cwd);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: CHILD_ENV,
      stdio: ["ignore", inherit ? "inherit" : "pipe", inherit ? "inherit" : "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ status: code ?? (signal ? 1 : 0), stdout, stderr }));
  });
}

/** wrangler's CLI entry point as the project resolves it, falling back to the one beside edge-cqrs. */
function wranglerBin(projectDir: string): string {
  for (const from of [join(projectDir, "package.json"), import.meta.url]) {
    try {
      return join(dirname(createRequire(from).resolve("wrangler/package.json")), "bin", "wrangler.js");
    } catch {
      // Not resolvable from here: try the next place.
    }
  }
  throw projectError("wrangler is not installed: run `npm install --save-dev wrangler` in the project");
}
