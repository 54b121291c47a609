import type { ConfigFormat } from "../project/index.js";
import type { ConfigEntry, ConfigSection, Fix } from "./problem.js";

/**
 * A fix as the user applies it: one line that says what to do, then the exact text to paste,
 * in the configuration's own format (TOML for wrangler.toml, JSON for wrangler.json/.jsonc).
 */
export function renderFix(fix: Fix, format: ConfigFormat, configFile: string): string {
  switch (fix.kind) {
    case "add":
      return withNote(`${format === "toml" ? "add to" : `add to the ${fix.section} array in`} ${configFile}:\n\n${indent(block(fix.section, fix.entry, format))}`, fix.note);
    case "replace":
      return withNote(`replace the ${fix.section} entry ${identity(fix.entry)} in ${configFile} with:\n\n${indent(block(fix.section, fix.entry, format))}`, fix.note);
    case "remove":
      return withNote(`remove the ${fix.section} entry ${identity(fix.entry)} from ${configFile}:\n\n${indent(block(fix.section, fix.entry, format))}`, fix.note);
    case "dev-vars":
      return `add to .dev.vars:\n\n${indent(fix.lines.join("\n"))}`;
    case "run":
      return `run:\n\n${indent(fix.command)}`;
    default:
      return assertNever(fix);
  }
}

/** One entry of a table array: `[[queues.producers]]` and its keys in TOML, the entry's object in JSON. */
export function block(section: ConfigSection, entry: ConfigEntry, format: ConfigFormat): string {
  return format === "toml" ? tomlBlock(section, entry) : jsonBlock(entry);
}

function tomlBlock(section: ConfigSection, entry: ConfigEntry): string {
  const lines = Object.entries(entry).map(([key, value]) => `${key} = ${tomlValue(value)}`);
  return [`[[${section}]]`, ...lines].join("\n");
}

// JSON string escapes are valid TOML basic-string escapes, and numbers print the same in both.
function tomlValue(value: string | number | readonly string[]): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
}

/** The entry as one object of its section's array: JSON has no table headers to say where it goes, the line above it does. */
function jsonBlock(entry: ConfigEntry): string {
  return JSON.stringify(entry, null, 2);
}

/** Every entry a check builds names its key field first (`queue`, `binding`, `name`, `tag`). */
function identity(entry: ConfigEntry): string {
  const [key, value] = Object.entries(entry)[0] ?? ["", ""];
  return `whose ${key} is ${JSON.stringify(value)}`;
}

function withNote(text: string, note: string | undefined): string {
  return note === undefined ? text : `${text}\n\n${note}`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? line : `    ${line}`))
    .join("\n");
}

function assertNever(value: never): never {
  throw new Error(`unexpected fix ${JSON.stringify(value)}`);
}
