// `npm run build` (and `prepack`): the published package in dist/. The runtime is compiled file by
// file with tsc (JavaScript and .d.ts, so users' bundlers tree-shake and their editors see the
// JSDoc); the CLI is bundled into one Node module, since it runs in Node and nothing imports it.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const cliEntry = `${root}src/cli/edge-cqrs.ts`;
// The repository's own TypeScript, run directly (npx would cost a second of start-up).
const tscBin = createRequire(import.meta.url).resolve("typescript/bin/tsc");

rmSync(`${root}dist`, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [tscBin, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

if (existsSync(cliEntry)) {
  await build({
    entryPoints: [cliEntry],
    outfile: `${root}dist/cli/edge-cqrs.js`,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    // wrangler and esbuild are the user's own (peer) and ours (dependency): resolved at run time.
    // The entry's own shebang is kept by esbuild, which makes the file executable as the bin.
    packages: "external",
    logLevel: "warning",
  });
}
console.log("built dist/");
