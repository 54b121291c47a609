// The package exactly as `npm publish` uploads it, built once and packed once for everything that
// inspects it: `npm run check:package` (publint, attw) and the package tests (test/package), which
// `npm test` hands the tarball (EDGE_CQRS_TARBALL). Prints the tarball's path as its last line:
// .tmp/package/edge-cqrs.tgz. `--no-build` packs the dist/ already there.
//
// npm always packs the root README.md, which is this repository's (how to work on edge-cqrs). The
// package has a README of its own, docs/package/README.md, so the files npm would pack are copied
// into a staging folder with that README in place of the root's, and the staging folder is packed.
// Releases publish this tarball (`npm publish .tmp/package/edge-cqrs.tgz`); `npm publish` in the
// repository is refused by prepublishOnly (scripts/publish-from-tarball.mjs). T4 in docs/decisions.md.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outDir = join(root, ".tmp", "package");
const stage = join(outDir, "stage");
const tarball = join(outDir, "edge-cqrs.tgz");
const PACKAGE_README = join(root, "docs", "package", "README.md");

if (!process.argv.includes("--no-build")) {
  // Output to stderr: stdout ends with the tarball's path, for callers that read it.
  const build = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: ["ignore", 2, 2] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
// npm's own choice of files (package.json `files`, and what it always adds), so the staging folder
// holds exactly what a pack of the repository would. Scripts ignored: the build above is prepack's.
const files = npmPack(root, ["--dry-run"])[0].files.map((f) => f.path);
if (!files.includes("README.md")) fail("npm would pack no README.md");
for (const file of files) {
  mkdirSync(dirname(join(stage, file)), { recursive: true });
  copyFileSync(join(root, file), join(stage, file));
}
copyFileSync(PACKAGE_README, join(stage, "README.md"));

const [{ filename }] = npmPack(stage, ["--pack-destination", outDir]);
renameSync(join(outDir, filename), tarball);
rmSync(stage, { recursive: true, force: true });
console.log(tarball);

/** `npm pack --json` in `cwd`, scripts ignored; its parsed report. */
function npmPack(cwd, args) {
  const pack = spawnSync("npm", ["pack", "--json", "--ignore-scripts", ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (pack.status !== 0) {
    process.stderr.write(pack.stdout ?? "");
    process.exit(pack.status ?? 1);
  }
  return JSON.parse(pack.stdout);
}

function fail(message) {
  console.error(`pack: ${message}`);
  process.exit(1);
}
