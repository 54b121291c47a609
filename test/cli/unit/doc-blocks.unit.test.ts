import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fencedBlocks, NO_RUN, projectFileOf, SHELL_LANGUAGES, shellCommands, type FencedBlock } from "../../support/markdown-blocks.js";
import { REPO } from "../support.js";

// Docs that run: every shell block of every doc the package ships either runs in a test, named in
// RUNNABLE with the test that runs it, or is marked `sh no-run` because it cannot run locally (it
// reaches Cloudflare, or runs the repository's benchmarks for minutes), which NOT_LOCAL must
// recognise in one of its lines. A new block fails here until it has a runner or a deliberate
// mark; a runnable block whose doc changes runs as changed, since its runner reads it from the doc.
// And every TypeScript block of the guide names its file, so the package test can build the
// guide's project from them and typecheck it (test/package/e2e/new-project.e2e.test.ts).

const WALK = "test/package/e2e/new-project.e2e.test.ts";
const CONSUMER = "test/app/e2e/consumer-doc.e2e.test.ts";

/** Each runnable shell block, by its doc (as shipped) and first command, and the test that runs it. */
const RUNNABLE: readonly { readonly doc: string; readonly first: string; readonly runBy: string }[] = [
  { doc: "README.md", first: "npx edge-cqrs init library", runBy: WALK },
  { doc: "README.md", first: "npm install edge-cqrs zod hono @hono/zod-openapi", runBy: WALK },
  { doc: "README.md", first: "API='Authorization: Bearer dev-api-token'", runBy: WALK },
  { doc: "docs/guide.md", first: "npx edge-cqrs init library", runBy: WALK },
  { doc: "docs/guide.md", first: "API='Authorization: Bearer dev-api-token'", runBy: WALK },
  { doc: "docs/guide.md", first: "npx edge-cqrs check", runBy: WALK },
  { doc: "docs/guide.md", first: "npm run types", runBy: WALK },
  { doc: "docs/guide.md", first: "npm run migrate", runBy: WALK },
  { doc: "docs/guide.md", first: "npx edge-cqrs contracts", runBy: WALK },
  { doc: "docs/cli.md", first: "npx edge-cqrs --help", runBy: WALK },
  { doc: "docs/cli.md", first: "npx edge-cqrs init my-app", runBy: WALK },
  { doc: "docs/cli.md", first: "npx edge-cqrs migrate", runBy: WALK },
  { doc: "docs/cli.md", first: "npm pack", runBy: WALK },
  { doc: "docs/integration-events.md", first: "npx edge-cqrs contracts", runBy: WALK },
  { doc: "docs/integration-events.md", first: "npx edge-cqrs init integration-consumer --template integration-consumer", runBy: CONSUMER },
  { doc: "templates/basic/README.md", first: "npm install", runBy: WALK },
  { doc: "templates/basic/README.md", first: "API='Authorization: Bearer dev-api-token'", runBy: WALK },
];

/** What makes a command impossible to run locally; a `no-run` block must contain one. */
const NOT_LOCAL: readonly RegExp[] = [
  /\bwrangler (?:login|deploy|tail)\b/, // signs in to Cloudflare, deploys, tails a deployed Worker
  /\bwrangler (?:d1 create|queues create|secret put)\b/, // creates a resource on Cloudflare
  /--remote\b/, // acts on the deployed database
  /^npm run deploy\b/,
  /https:\/\/<your-worker>|api\.cloudflare\.com/, // a deployed Worker, or Cloudflare's API
  /^npm run bench\b/, // the repository's benchmarks: minutes, and only in the repository
];

/** The shipped Markdown files (package.json `files`), by their path in the package, and where each is in the repository. */
function shippedDocs(): Map<string, string> {
  const docs = new Map<string, string>([
    ["README.md", "docs/package/README.md"],
    ["CHANGELOG.md", "CHANGELOG.md"],
  ]);
  for (const file of readdirSync(join(REPO, "docs"))) if (file.endsWith(".md")) docs.set(`docs/${file}`, `docs/${file}`);
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(REPO, dir))) {
      const path = `${dir}/${entry}`;
      if (statSync(join(REPO, path)).isDirectory()) walk(path);
      else if (entry.endsWith(".md")) docs.set(path, path);
    }
  };
  walk("templates");
  return docs;
}

const docs = shippedDocs();
const blocks: FencedBlock[] = [...docs].flatMap(([doc, file]) => fencedBlocks(doc, readFileSync(join(REPO, file), "utf8")));
const shellBlocks = blocks.filter((b) => SHELL_LANGUAGES.has(b.lang));
const where = (b: FencedBlock) => `${b.doc}:${b.line}`;

describe("the shipped docs' shell blocks", () => {
  it("are read from every Markdown file package.json ships", () => {
    const manifest = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { files: string[] };
    expect(manifest.files).toEqual(["dist", "templates", "docs/*.md", "CHANGELOG.md"]);
    expect(shellBlocks.length).toBeGreaterThan(RUNNABLE.length);
  });

  it("run in a test, each named in RUNNABLE with the test that runs it", () => {
    const unclaimed = shellBlocks
      .filter((b) => !b.flags.includes(NO_RUN))
      .filter((b) => !RUNNABLE.some((r) => r.doc === b.doc && r.first === shellCommands(b)[0]))
      .map((b) => `${where(b)} (${shellCommands(b)[0]})`);
    expect(unclaimed, "give each a runner in RUNNABLE, or mark it sh no-run if it cannot run locally").toEqual([]);
  });

  it("name in RUNNABLE only blocks that exist, each once, with a runner that reads it by doc and first command", () => {
    for (const { doc, first, runBy } of RUNNABLE) {
      const matching = shellBlocks.filter((b) => b.doc === doc && shellCommands(b)[0] === first && !b.flags.includes(NO_RUN));
      expect(matching.map(where), `${doc}: ${first}`).toHaveLength(1);
      expect(existsSync(join(REPO, runBy)), runBy).toBe(true);
      const named = readFileSync(join(REPO, runBy), "utf8").includes(`${JSON.stringify(doc)}, ${JSON.stringify(first)}`);
      expect(named, `${runBy} reads ${doc}'s block ${first} by docBlock(…, ${JSON.stringify(doc)}, ${JSON.stringify(first)})`).toBe(true);
    }
  });

  it("are marked no-run only where a command cannot run locally, and never reach Cloudflare unmarked", () => {
    const reaches = (b: FencedBlock) => shellCommands(b).some((command) => NOT_LOCAL.some((pattern) => pattern.test(command)));
    const needlesslyMarked = shellBlocks.filter((b) => b.flags.includes(NO_RUN) && !reaches(b)).map(where);
    const unmarked = shellBlocks.filter((b) => !b.flags.includes(NO_RUN) && reaches(b)).map(where);
    expect({ needlesslyMarked, unmarked }).toEqual({ needlesslyMarked: [], unmarked: [] });
  });

  it("say they are shell blocks: a block of npm, npx or curl commands has the sh info string", () => {
    const bare = blocks.filter((b) => b.lang === "" && /^(?:npx|npm|curl) /.test(b.text.trimStart())).map(where);
    expect(bare).toEqual([]);
  });

  it("use no-run as the only flag, on shell blocks only", () => {
    expect(blocks.filter((b) => b.flags.some((f) => f !== NO_RUN) || (b.flags.length > 0 && !SHELL_LANGUAGES.has(b.lang))).map(where)).toEqual([]);
  });
});

describe("the guide's TypeScript blocks", () => {
  it("each name the file of the guide's project they are, so the package test can build and typecheck it", () => {
    const guideTs = blocks.filter((b) => b.doc === "docs/guide.md" && b.lang === "ts");
    expect(guideTs.length).toBeGreaterThan(5);
    expect(guideTs.filter((b) => projectFileOf(b) === undefined).map(where)).toEqual([]);
  });
});
