// `npm start`: local secrets, local D1 migrations, then `wrangler dev` with any extra arguments
// passed through (`npm start -- --port 9000`).
import { spawnSync } from "node:child_process";
import "./ensure-dev-vars.mjs";

const run = (args) => {
  const result = spawnSync("npx", ["wrangler", ...args], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run(["d1", "migrations", "apply", "READ_DB", "--local"]);
run(["dev", ...process.argv.slice(2)]);
