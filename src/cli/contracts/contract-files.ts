import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ContractSchema } from "../../runtime/contracts/index.js";

/**
 * The folders `contractSchemas` puts its documents in (commands/, events/, public/). Only JSON
 * files directly inside them are the command's: it removes a stale one there and nothing else, so
 * the contracts folder can hold a README or a schema of the user's own beside them.
 */
export const CONTRACT_FOLDERS = ["commands", "events", "public"] as const;

/** Each contract document's path (relative to the contracts folder) and its file text. */
export type ContractFiles = ReadonlyMap<string, string>;

/** The files for the documents: JSON with two-space indents and a final newline, for readable diffs. */
export function contractFiles(schemas: readonly ContractSchema[]): ContractFiles {
  return new Map(schemas.map(({ path, schema }) => [path, `${JSON.stringify(schema, null, 2)}\n`]));
}

/** How a contracts folder differs from the files: missing, different, or no longer generated. */
export interface ContractDrift {
  readonly missing: readonly string[];
  readonly changed: readonly string[];
  readonly extra: readonly string[];
  readonly unchanged: readonly string[];
}

/** Compares the folder `dir` with the files, reading only what the command owns in it. */
export function contractDrift(dir: string, files: ContractFiles): ContractDrift {
  const missing: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const [path, text] of files) {
    const file = join(dir, path);
    if (!existsSync(file)) missing.push(path);
    else if (readFileSync(file, "utf8") === text) unchanged.push(path);
    else changed.push(path);
  }
  const extra = ownedFiles(dir).filter((path) => !files.has(path));
  return { missing, changed, extra, unchanged };
}

/** Brings the folder to the files: writes the missing and changed ones, removes the extra ones. */
export function writeContracts(dir: string, files: ContractFiles, drift: ContractDrift): void {
  for (const path of [...drift.missing, ...drift.changed]) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, files.get(path)!);
  }
  for (const path of drift.extra) rmSync(join(dir, path));
}

/** The JSON files directly inside the owned folders, as paths relative to `dir`. */
function ownedFiles(dir: string): string[] {
  return CONTRACT_FOLDERS.flatMap((folder) => {
    const path = join(dir, folder);
    if (!existsSync(path)) return [];
    return readdirSync(path, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(".json"))
      .map((entry) => `${folder}/${entry.name}`);
  }).sort();
}
