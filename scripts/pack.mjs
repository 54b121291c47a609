// The package exactly as `npm publish` would upload it, built once and packed once for everything
// that inspects it: `npm run check:package` (publint, attw) and the package test
// (test/package), which `npm test` hands the tarball (EDGE_CQRS_TARBALL). Prints the tarball's path
// as its last line: .tmp/package/edge-cqrs.tgz. `--no-build` packs the dist/ already there.
import { spawnSync } from "node:child_process";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outDir = join(root, ".tmp", "package");
const tarball = join(outDir, "edge-cqrs.tgz");

if (!process.argv.includes("--no-build")) {
  // Output to stderr: stdout ends with the tarball's path, for callers that read it.
  const build = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: ["ignore", 2, 2] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
// Scripts ignored: the build above is prepack's, done once.
const pack = spawnSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", outDir], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
if (pack.status !== 0) {
  process.stderr.write(pack.stdout ?? "");
  process.exit(pack.status ?? 1);
}
const [{ filename }] = JSON.parse(pack.stdout);
renameSync(join(outDir, filename), tarball);
console.log(tarball);
