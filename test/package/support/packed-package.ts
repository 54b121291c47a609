import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// The packed package, shared by the package tests: `npm test` packs once (scripts/pack.mjs, for
// publint and attw too) and names the tarball in EDGE_CQRS_TARBALL; run on their own, the first
// package test to need it packs the current source, and the others wait for that tarball rather
// than packing over it.
export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const CHILD_ENV = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", npm_config_fund: "false", npm_config_audit: "false" };
/** Packing builds dist/ first: tsc over the runtime and an esbuild bundle of the CLI. */
export const PACK_TIMEOUT_MS = 5 * 60_000;

const PACKED = join(ROOT, ".tmp", "package", "edge-cqrs.tgz");
const LOCK = join(ROOT, ".tmp", "package.lock");
const LOCK_POLL_MS = 500;

/** Runs a command to completion; a failure carries the tail of its output, which says why. */
export function run(command: string, args: readonly string[], cwd: string, timeout: number, env: NodeJS.ProcessEnv = CHILD_ENV): string {
  try {
    return execFileSync(command, args, { cwd, env, timeout, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`);
  }
}

/** The tarball to test: npm test's, or one packed from the current source during this run. */
export async function packedTarball(): Promise<string> {
  if (process.env.EDGE_CQRS_TARBALL) return process.env.EDGE_CQRS_TARBALL;
  const since = Date.now();
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  for (;;) {
    if (tryLock()) {
      try {
        if (!packedSince(since)) run("node", ["scripts/pack.mjs"], ROOT, PACK_TIMEOUT_MS);
        return PACKED;
      } finally {
        rmSync(LOCK, { recursive: true, force: true });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

function tryLock(): boolean {
  try {
    // A lock older than a pack can take was left by a run that died while packing.
    if (Date.now() - statSync(LOCK).mtimeMs > PACK_TIMEOUT_MS) rmSync(LOCK, { recursive: true, force: true });
  } catch {
    // No lock.
  }
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    return false;
  }
}

function packedSince(since: number): boolean {
  try {
    return statSync(PACKED).mtimeMs >= since;
  } catch {
    return false;
  }
}

/** The tarball's files, relative to the package root (without tar's `package/` prefix). */
export function tarballFiles(tarball: string): string[] {
  return run("tar", ["-tzf", tarball], ROOT, 60_000)
    .split("\n")
    .filter((line) => line.startsWith("package/") && !line.endsWith("/"))
    .map((line) => line.slice("package/".length));
}

/** Unpacks the tarball into `dir` and returns the package's root there. */
export function unpack(tarball: string, dir: string): string {
  run("tar", ["-xzf", tarball, "-C", dir], ROOT, 60_000);
  return join(dir, "package");
}
