// The pipeline comparison without the DevTools inspector (issue item 3's measured reason).
// `wrangler dev` always runs workerd with an inspector, and wrangler receives every console call
// through it (`Runtime.consoleAPICalled`), which makes a log line far dearer locally than the code
// that writes it. The same systems started through wrangler's own programmatic API
// (`unstable_startWorker`, the dev server `wrangler dev` runs) with `inspector: false` show what
// that costs, the rest being equal. Not in the default run: `npm run bench -- --only=no-inspector`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_startWorker } from "wrangler";
import { applyMigrations } from "../../scripts/wrangler-dev.mjs";
import { withMain } from "../lib/config-variant.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The pipeline's goal system, its baseline and its sampled-out variant, each without an inspector. */
export const NO_INSPECTOR_SYSTEMS = [
  { key: "edge", name: "edge-cqrs (two views), no inspector", start: () => startWithoutInspector("bench/two-views/wrangler.toml") },
  { key: "baseline", name: "bare pipeline, no inspector", start: () => startWithoutInspector("bench/baseline/wrangler.toml") },
  { key: "quiet", name: "edge-cqrs (two views, info log lines sampled out), no inspector", start: () => startWithoutInspector(withMain("bench/two-views/wrangler.toml", "quiet-worker.ts")) },
];

/** The columns beside the goal system in this part's table. */
export const NO_INSPECTOR_INFORMATION = [{ key: "quiet", title: "two views, info log lines sampled out" }];

/**
 * A local dev server for `config` with fresh state and the D1 migrations of `migrate` applied (false
 * for none), and no inspector. It runs in this process: anything that blocks Node's event loop while
 * it runs (execFileSync, a busy loop) blocks the server too.
 */
export async function startWithoutInspector(config, { migrate = "READ_DB" } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), "edge-cqrs-bench-"));
  if (migrate !== false) await applyMigrations(stateDir, migrate, config);
  const worker = await unstable_startWorker({
    config: resolve(ROOT, config),
    envFiles: [resolve(ROOT, ".dev.vars")],
    dev: { inspector: false, persist: stateDir, logLevel: "warn", server: { hostname: "127.0.0.1", port: 0 } },
  });
  await worker.ready;
  const url = (await worker.url).toString().replace(/\/$/, "");
  return {
    url,
    logs: () => "",
    stop: async () => {
      await worker.dispose();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
