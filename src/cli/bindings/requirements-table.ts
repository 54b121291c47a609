import { renderBlock, type ConfigFormat, type Manifest, type Requirement } from "../../runtime/manifest/index.js";

/** One line per requirement: its kind, its name and who needs it, in columns. */
export function requirementsTable(manifest: Manifest): string {
  const rows = [["kind", "name", "needed by"], ...manifest.map((r) => [r.kind, label(r), r.neededBy])];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell)).join("  ")).join("\n");
}

/** The name; a producer's with the queue it sends to (an integration-events queue is the configuration's to name). */
function label(r: Requirement): string {
  return r.kind === "queue-producer" ? `${r.name} -> ${r.queue ?? "?"}` : r.name;
}

/**
 * Every block the manifest asks for, in the configuration's format, each under a comment saying
 * who needs it; secrets as the `.dev.vars` lines, since they never belong in the configuration.
 */
export function requirementBlocks(manifest: Manifest, format: ConfigFormat): string {
  const comment = format === "toml" ? "#" : "//";
  return manifest
    .map((r) =>
      r.kind === "secret"
        ? `${comment} .dev.vars, for ${r.neededBy} (production: ${r.command})\n${r.devVars}`
        : `${comment} ${r.block.section}: ${r.name}, for ${r.neededBy}\n${renderBlock(r.block.section, r.block.entry, format)}`,
    )
    .join("\n\n");
}
