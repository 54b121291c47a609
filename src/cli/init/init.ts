import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { usageError } from "../cli-error.js";

/** The template `init` copies unless told otherwise: a small complete application (aggregate, projection, query, tests). */
export const DEFAULT_TEMPLATE = "basic";

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
  /** Which of them: a folder of `templatesRoot` (default {@link DEFAULT_TEMPLATE}). */
  readonly template?: string | undefined;
}

/**
 * Writes a new edge-cqrs project into `options.directory` and returns the files it wrote, relative
 * to it. Refuses a non-empty directory rather than mixing a template into someone's work.
 */
export function initProject(options: InitOptions): string[] {
  const target = resolve(options.directory);
  const source = templateFolder(options.templatesRoot, options.template ?? DEFAULT_TEMPLATE);
  refuseUnusableTarget(target);
  const values = { name: packageNameOf(target), edgeCqrs: checkedDependencySpec(options.edgeCqrs) };
  const written: string[] = [];
  for (const file of filesUnder(source)) {
    const path = relative(source, file);
    const name = RENAMED[basename(path)] ?? basename(path);
    const destination = join(target, dirname(path), name);
    mkdirSync(dirname(destination), { recursive: true });
    const text = readFileSync(file, "utf8");
    writeFileSync(destination, name.endsWith(".json") ? fillJson(text, values) : fill(text, values));
    written.push(relative(target, destination));
  }
  // The example secrets double as documentation of what the project needs in production.
  if (existsSync(join(target, ".dev.vars"))) {
    writeFileSync(join(target, ".dev.vars.example"), readFileSync(join(target, ".dev.vars"), "utf8"));
    written.push(".dev.vars.example");
  }
  return written.sort();
}

/** The templates `init` can write: the folders of `templatesRoot`. */
export function availableTemplates(templatesRoot: string): string[] {
  return readdirSync(templatesRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function templateFolder(templatesRoot: string, template: string): string {
  const available = availableTemplates(templatesRoot);
  if (!available.includes(template)) throw usageError(`init: no template "${template}" (templates: ${available.join(", ")})`);
  return join(templatesRoot, template);
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

/**
 * The directory must be new or empty, and every existing part of its path a directory: a file in
 * the way is a usage error named in one line, not an ENOTDIR stack from mkdir.
 */
function refuseUnusableTarget(target: string): void {
  let existing = target;
  while (!existsSync(existing)) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    throw usageError(`init: ${existing} is a file, not a directory: choose a new directory`);
  }
  if (existing === target && readdirSync(target).length > 0) {
    throw usageError(`init: ${target} is not empty: choose a new directory`);
  }
}

/** Longer than any real version range, tarball path or git URL; a spec past it is a paste gone wrong. */
const MAX_DEPENDENCY_SPEC_LENGTH = 1024;
// No npm spec (range, tag, path, tarball, git or npm: alias) contains a quote, a backslash or a
// control character; one that does is a shell-quoting accident, refused before anything is written.
const FORBIDDEN_IN_SPEC = /[\u0000-\u001f\u007f"'`\\]/;

function checkedDependencySpec(spec: string): string {
  const trimmed = spec.trim();
  if (trimmed === "" || trimmed.length > MAX_DEPENDENCY_SPEC_LENGTH || FORBIDDEN_IN_SPEC.test(trimmed)) {
    throw usageError(
      `init: --edge-cqrs ${JSON.stringify(spec)} is not a dependency spec (expected a version range, a tag, a path or a tarball, without quotes)`,
    );
  }
  return trimmed;
}

function packageNameOf(directory: string): string {
  const name = basename(directory).toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return name === "" ? "edge-cqrs-app" : name;
}

function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (match, key: string) => values[key] ?? match);
}

/**
 * A JSON template is parsed, its string values filled and the result written with
 * `JSON.stringify`, so no value, whatever it holds, can break the file or add keys to it.
 */
function fillJson(text: string, values: Readonly<Record<string, string>>): string {
  const filled: unknown = JSON.parse(text, (_key, value: unknown) => (typeof value === "string" ? fill(value, values) : value));
  return `${JSON.stringify(filled, null, 2)}\n`;
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
