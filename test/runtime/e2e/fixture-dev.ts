import { startWranglerDev, type WranglerDev, type WranglerDevOptions } from "../../../scripts/wrangler-dev.mjs";

/** The tokens of `.dev.vars` (copied from .dev.vars.example when missing), which the fixture reads too. */
export const API_TOKEN = "dev-api-token";
export const ADMIN_TOKEN = "dev-admin-token";

/**
 * A real `wrangler dev` of the runtime's fixture application (test/runtime/fixture/wrangler.toml):
 * its own free port, dev registry and state directory (a fresh temp one unless `persistTo` names
 * one), with the fixture's D1 migrations applied there first. Nothing it starts is shared with a
 * dev server of the example, so both suites may run at once. The secrets come from the
 * repository's `.dev.vars`, the one file every local run reads. `logLevel: "log"` keeps the
 * Worker's own log lines in `logs()`, for a test that reads them.
 */
export function startFixtureDev(options: Pick<WranglerDevOptions, "persistTo" | "logLevel"> = {}): Promise<WranglerDev> {
  return startWranglerDev({ config: "test/runtime/fixture/wrangler.toml", envFile: ".dev.vars", ...options });
}
