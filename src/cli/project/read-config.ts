import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { projectError, usageError } from "../cli-error.js";
import type { ProjectConfig } from "./project-config.js";

/** Where to read the configuration from; as on wrangler's own command line. */
export interface ConfigLocation {
  /** The directory the command runs in: `configPath` is relative to it, and the search for a configuration starts there. */
  readonly cwd: string;
  /** `--config`: a wrangler.toml, wrangler.json or wrangler.jsonc; found from `cwd` upwards when absent. */
  readonly configPath?: string | undefined;
  /** `--env`: a named environment of the configuration. */
  readonly env?: string | undefined;
}

/** A configuration read from a file: `userConfigPath` is always known. */
export type ReadProjectConfig = ProjectConfig & { readonly userConfigPath: string };

/**
 * Reads the configuration with wrangler's own reader, so defaults, environments, and every
 * validation wrangler applies are the ones `wrangler dev` and `wrangler deploy` will apply.
 * wrangler is loaded on demand: it takes a few seconds, and `--help` should not wait for it.
 */
export async function readProjectConfig(location: ConfigLocation, { hideWarnings = false } = {}): Promise<ReadProjectConfig> {
  const path = location.configPath === undefined ? findConfig(location.cwd) : resolve(location.cwd, location.configPath);
  if (path === undefined) {
    throw usageError("no wrangler.toml, wrangler.json or wrangler.jsonc found here or above; run inside the project or pass --config <file>");
  }
  if (!existsSync(path)) throw usageError(`${path} does not exist`);
  const { unstable_readConfig } = await import("wrangler");
  let config: ProjectConfig;
  try {
    config = unstable_readConfig({ config: path, env: location.env }, { hideWarnings }) as ProjectConfig;
  } catch (cause) {
    throw projectError(`the wrangler configuration cannot be read: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  return { ...config, userConfigPath: path };
}

/**
 * The configuration wrangler itself would pick from `dir`: the nearest directory upwards that has
 * one, and in it wrangler.json, then wrangler.jsonc, then wrangler.toml. Looked up here rather
 * than by wrangler, whose search starts at the process's working directory.
 */
export function findConfig(dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const found = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"].map((name) => join(current, name)).find((path) => existsSync(path));
    if (found !== undefined) return found;
    if (dirname(current) === current) return undefined;
  }
}
