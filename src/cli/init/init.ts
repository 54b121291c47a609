import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { usageError } from "../cli-error.js";

/** The template `init` copies: a small complete application (aggregate, projection, query, tests). */
const TEMPLATE = "basic";

// npm renames `.gitignore` in published packages and drops some dotfiles, so the template stores
// them under these names and `init` restores the real ones.
const RENAMED: Readonly<Record<string, string>> = { _gitignore: ".gitignore", "_dev.vars": ".dev.vars" };

/** What `init` needs to know; every field has a default the command line can override. */
export interface InitOptions {
  /** Where to write the project; must not exist or be empty. */
  readonly directory: string;
  /** The `edge-cqrs` dependency the new package.json names (a semver range, a tarball, a path). */
  readonly edgeCqrs: string;
  /** The folder holding the templates (the package's own `templates/`). */
  readonly templatesRoot: string;
}

/**
 * Writes a new edge-cqrs project into `options.directory` and returns the files it wrote, relative
 * to it. Refuses a non-empty directory rather than mixing a template into someone's work.
 */
export function initProject(options: InitOptions): string[] {
  const target = resolve(options.directory);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw usageError(`init: ${target} is not empty: choose a new directory`);
  }
  const source = join(options.templatesRoot, TEMPLATE);
  const values = { name: packageNameOf(target), edgeCqrs: options.edgeCqrs };
  const written: string[] = [];
  for (const file of filesUnder(source)) {
    const path = relative(source, file);
    const name = RENAMED[basename(path)] ?? basename(path);
    const destination = join(target, dirname(path), name);
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, fill(readFileSync(file, "utf8"), values));
    written.push(relative(target, destination));
  }
  // The example secrets double as documentation of what the project needs in production.
  writeFileSync(join(target, ".dev.vars.example"), readFileSync(join(target, ".dev.vars"), "utf8"));
  written.push(".dev.vars.example");
  return written.sort();
}

/** The templates shipped next to the built CLI (`dist/cli/…` → `templates/`). */
export function packagedTemplatesRoot(): string {
  return fileURLToPath(new URL("../../templates", import.meta.url));
}

/** This package's own version, for the new project's dependency range. */
export function ownVersion(): string {
  const manifest = JSON.parse(readFileSync(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8")) as { version: string };
  return manifest.version;
}

function packageNameOf(directory: string): string {
  const name = basename(directory).toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return name === "" ? "edge-cqrs-app" : name;
}

function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (match, key: string) => values[key] ?? match);
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
