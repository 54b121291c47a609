// `npm start`: local secrets, local D1 migrations, then `wrangler dev` with any extra arguments
// passed through (`npm start -- --port 9000`). The migrations go where `wrangler dev` will look:
// the same state directory, configuration and environment as the arguments name.
import { spawnSync } from "node:child_process";
import "./ensure-dev-vars.mjs";
import { migrationArgsFor } from "./start-args.mjs";

const run = (args) => {
  const result = spawnSync("npx", ["wrangler", ...args], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

const devArgs = process.argv.slice(2);
run(["d1", "migrations", "apply", "READ_DB", "--local", ...migrationArgsFor(devArgs)]);
// --test-scheduled serves /__scheduled, so the sweep can be run by hand (docs/operations.md).
run(["dev", "--test-scheduled", ...devArgs]);
