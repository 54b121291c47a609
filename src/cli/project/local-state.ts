import { dirname, join, resolve } from "node:path";

/** Where `wrangler dev` keeps local Durable Objects, Queues and D1 unless told otherwise (relative to the configuration's directory). */
export const DEFAULT_STATE_DIR = join(".wrangler", "state");

/**
 * The local state directory wrangler uses: `--persist-to` (relative to the working directory, as
 * wrangler resolves it), or `.wrangler/state` beside the configuration file.
 */
export function localStateDir({ persistTo, configPath, cwd }: { persistTo?: string | undefined; configPath?: string | undefined; cwd: string }): string {
  if (persistTo !== undefined) return resolve(cwd, persistTo);
  return resolve(cwd, configPath === undefined ? "." : dirname(configPath), DEFAULT_STATE_DIR);
}
