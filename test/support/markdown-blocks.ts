import { readFileSync } from "node:fs";
import { join } from "node:path";

// The fenced code blocks of a Markdown document, as the tests that run the docs read them: the
// shell blocks each doc tells a user to run, and the TypeScript blocks the guide builds its project
// from. Shared by the unit test that holds every block to a runner (test/cli/unit/doc-blocks) and
// the end-to-end tests that run them.

/** One fenced block: where it opens, its info string, and its text with the list indent removed. */
export interface FencedBlock {
  /** The document, as the tests name it (docs/guide.md, README.md). */
  readonly doc: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The info string's first word: sh, ts, toml, or "" for none. */
  readonly lang: string;
  /** The info string's other words: `no-run` marks a shell block that cannot run locally. */
  readonly flags: readonly string[];
  readonly text: string;
}

/** Languages whose blocks are commands for a shell. */
export const SHELL_LANGUAGES: ReadonlySet<string> = new Set(["sh", "bash", "shell", "console"]);

/** The info-string flag of a shell block that must not run locally (it reaches Cloudflare, or runs for minutes). */
export const NO_RUN = "no-run";

/** Every fenced block of `markdown`, in order; a block inside a list item loses the item's indent. */
export function fencedBlocks(doc: string, markdown: string): FencedBlock[] {
  const lines = markdown.split("\n");
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^ *${fence[0]}{${fence.length},}\\s*$`).test(lines[j]!)) body.push(lines[j++]!);
    const [lang = "", ...flags] = info.trim().split(/\s+/).filter(Boolean);
    const text = body.map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart())).join("\n");
    blocks.push({ doc, line: i + 1, lang, flags, text });
    i = j;
  }
  return blocks;
}

/**
 * A shell block's commands: continuation lines joined, comment lines and trailing comments
 * dropped (a `#` inside quotes stays), blank lines left out.
 */
export function shellCommands(block: Pick<FencedBlock, "text">): string[] {
  return block.text
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((line) => withoutComment(line).trim())
    .filter((line) => line !== "");
}

/** The comment lines right after each command: what the doc says it prints (`# {"id":…}`). */
export function documentedOutputs(block: Pick<FencedBlock, "text">): string[][] {
  const outputs: string[][] = [];
  for (const line of block.text.replace(/\\\n\s*/g, "").split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (trimmed.startsWith("#")) outputs.at(-1)?.push(trimmed.replace(/^#\s?/, ""));
    else outputs.push([]);
  }
  return outputs;
}

function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/**
 * Where a code block belongs in the user's project, from its first line: `// src/app/x.ts` (or
 * `-- migrations/0002_x.sql`, `# wrangler.toml`) is that whole file, `// add to src/index.ts` is
 * lines to add to it. A first line that is not a path (a comment that says something) names none.
 * The block is written as it stands, first line included: it is what a reader copies.
 */
export function projectFileOf(block: Pick<FencedBlock, "text">): { readonly path: string; readonly add: boolean } | undefined {
  const first = block.text.split("\n", 1)[0] ?? "";
  const match = /^(?:\/\/|--|#)\s+(add to\s+)?([\w.-]+(?:\/[\w.-]+)*\.[a-z]+)(?::.*)?$/.exec(first.trim());
  if (!match) return undefined;
  return { path: match[2]!, add: match[1] !== undefined };
}

/**
 * The shell block of `doc` (a path under `root`) whose first command is `first`: how a test that
 * runs a doc's block names it (test/cli/unit/doc-blocks.unit.test.ts finds the runner by this call).
 */
export function docBlock(root: string, doc: string, first: string): FencedBlock {
  const found = fencedBlocks(doc, readFileSync(join(root, doc), "utf8")).filter((b) => SHELL_LANGUAGES.has(b.lang) && shellCommands(b)[0] === first);
  if (found.length !== 1) throw new Error(`${doc} has ${found.length} shell blocks starting with ${first}, not one`);
  return found[0]!;
}
