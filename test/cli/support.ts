// Shared by the CLI's tests: the fixture application and configurations, applying a printed fix
// to a configuration's text, and the CLI built into a runnable .mjs.
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Fix } from "../../src/cli/check/index.js";
import { renderBlock } from "../../src/runtime/manifest/index.js";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const FIXTURES = fileURLToPath(new URL("./fixtures", import.meta.url));
export const CONFIGS = join(FIXTURES, "configs");
export const FIXTURE_APP = join(FIXTURES, "app.ts");

/** A configuration fixture by its name (`forgotten-queue` → configs/forgotten-queue.toml). */
export function configFixture(name: string, extension = "toml"): string {
  return join(CONFIGS, `${name}.${extension}`);
}

/**
 * A TOML configuration's text with a printed fix applied the way a user would: an added block
 * appended, a replaced or removed block found by its header and its first key.
 */
export function applyTomlFix(text: string, fix: Fix): string {
  if (fix.kind !== "add" && fix.kind !== "replace" && fix.kind !== "remove") throw new Error(`${fix.kind} is not a configuration edit`);
  const rendered = renderBlock(fix.section, fix.entry, "toml");
  if (fix.kind === "add") return `${text.trimEnd()}\n\n${rendered}\n`;
  const [key, value] = Object.entries(fix.entry)[0] ?? [];
  const identity = `${key} = ${JSON.stringify(value)}`;
  const blocks = text.split(/\n(?=\[)/);
  const index = blocks.findIndex((b) => b.startsWith(`[[${fix.section}]]\n`) && b.split("\n").includes(identity));
  if (index === -1) throw new Error(`no [[${fix.section}]] block with ${identity}`);
  blocks[index] = fix.kind === "replace" ? `${rendered}\n` : "";
  return blocks.join("\n");
}

/** A fresh directory under the repository's ignored .tmp/, so Node finds the repository's packages from it. */
export function repoTempDir(prefix: string): string {
  const root = join(REPO, ".tmp");
  mkdirSync(root, { recursive: true });
  return mkdtempSync(join(root, prefix));
}

/** The `edge-cqrs` CLI bundled to one .mjs (packages stay external), as `node <file>` runs it. */
export async function buildCli(outDir: string): Promise<string> {
  const { build } = await import("esbuild");
  const outfile = join(outDir, "edge-cqrs.mjs");
  await build({
    entryPoints: [join(REPO, "src/cli/edge-cqrs.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "silent",
  });
  return outfile;
}

export const readText = (path: string) => readFileSync(path, "utf8");
