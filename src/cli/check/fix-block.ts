import { renderBlock, type ConfigEntry, type ConfigFormat } from "../../runtime/manifest/index.js";
import type { Fix } from "./problem.js";

/**
 * A fix as the user applies it: one line that says what to do, then the exact text to paste,
 * in the configuration's own format (TOML for wrangler.toml, JSON for wrangler.json/.jsonc).
 */
export function renderFix(fix: Fix, format: ConfigFormat, configFile: string): string {
  switch (fix.kind) {
    case "add":
      return withNote(`${format === "toml" ? "add to" : `add to the ${fix.section} array in`} ${configFile}:\n\n${indent(renderBlock(fix.section, fix.entry, format))}`, fix.note);
    case "replace":
      return withNote(`replace the ${fix.section} entry ${identity(fix.entry)} in ${configFile} with:\n\n${indent(renderBlock(fix.section, fix.entry, format))}`, fix.note);
    case "remove":
      return withNote(`remove the ${fix.section} entry ${identity(fix.entry)} from ${configFile}:\n\n${indent(renderBlock(fix.section, fix.entry, format))}`, fix.note);
    case "dev-vars":
      return `add to .dev.vars:\n\n${indent(fix.lines.join("\n"))}`;
    case "run":
      return `run:\n\n${indent(fix.command)}`;
    default:
      return assertNever(fix);
  }
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
