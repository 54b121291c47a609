import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHILD_ENV, PACK_TIMEOUT_MS, packedTarball, ROOT, tarballFiles, unpack } from "../support/packed-package.js";
import { REPOSITORY_PATHS_MARKER, shippedDocProblems, type ShippedDocsContext } from "../support/shipped-docs.js";

// The package stands alone: what npm shows and what node_modules/edge-cqrs holds name only what
// the package ships and what a project `edge-cqrs init` writes has. Read from the packed tarball,
// every Markdown file of it: the package's own README (not the repository's), the docs, the
// CHANGELOG. And what is published is that tarball: `npm publish` from the repository is refused.
const RENAMED: Readonly<Record<string, string>> = { _gitignore: ".gitignore", "_dev.vars": ".dev.vars" };

const work = mkdtempSync(join(tmpdir(), "edge-cqrs-shipped-docs-"));
let tarball: string;
let packageRoot: string;
let context: ShippedDocsContext;

beforeAll(async () => {
  tarball = await packedTarball();
  packageRoot = unpack(tarball, work);
  const shipped = new Set(tarballFiles(tarball));
  // What `edge-cqrs init` writes: the basic template's files under their real names, and the example secrets.
  const project = new Set([
    ".dev.vars.example",
    ...[...shipped]
      .filter((file) => file.startsWith("templates/basic/"))
      .map((file) => file.slice("templates/basic/".length).replace(/(^|\/)([^/]+)$/, (_, slash: string, name: string) => `${slash}${RENAMED[name] ?? name}`)),
  ]);
  const repository = new Set(execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean));
  const repositoryRoots = [...new Set([...repository].filter((f) => f.includes("/")).map((f) => f.split("/")[0]!)), "dist"];
  // Ignored folders inside the tree (bench/results/) are where the repository's tools write.
  const repositoryOutputs = readFileSync(join(ROOT, ".gitignore"), "utf8")
    .split("\n")
    .filter((line) => /^[\w.-]+\/[\w.-]+\/$/.test(line.trim()))
    .map((line) => line.trim());
  const markdown = new Map([...shipped].filter((f) => f.endsWith(".md")).map((f) => [f, readFileSync(join(packageRoot, f), "utf8")] as const));
  context = { shipped, project, repository, repositoryOutputs, repositoryRoots, markdown };
}, PACK_TIMEOUT_MS);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the docs the package ships", () => {
  it("name only what the package ships or a new project has, in every Markdown file of the tarball", () => {
    const docs = [...context.markdown.keys()];
    expect(docs).toEqual(expect.arrayContaining(["README.md", "CHANGELOG.md", "docs/guide.md", "docs/integration-events.md", "templates/basic/README.md"]));
    expect(docs.flatMap((doc) => shippedDocProblems(doc, context.markdown.get(doc)!, context))).toEqual([]);
  });

  it("catch what the package does not ship: a repository path, a link out of the package, a missing anchor", () => {
    const doc = [
      "The example (`src/app/order-events/`) publishes; see test/e2e/tour.e2e.test.ts and `.ci/run`.",
      "Run `wrangler dev -c docs/examples/integration-consumer/wrangler.toml`.",
      "[the consumer](examples/integration-consumer/) and [limits](limits.md#no-such-heading).",
      "Fine: `src/app/index.ts`, `docs/guide.md`, [guide](guide.md#1-create-the-project), https://example.com/src/app/x.",
    ].join("\n");
    const problems = shippedDocProblems("docs/new.md", doc, context);
    for (const named of ["src/app/order-events/", "test/e2e/tour.e2e.test.ts", ".ci/run", "docs/examples/integration-consumer/wrangler.toml"]) {
      expect(problems.some((p) => p.includes(`names ${named} `)), named).toBe(true);
    }
    expect(problems.some((p) => p.includes("links to examples/integration-consumer/"))).toBe(true);
    expect(problems.some((p) => p.includes("links to limits.md#no-such-heading"))).toBe(true);
    expect(problems).toHaveLength(6);
  });

  it("let a doc about the repository's own code name its files, as long as they exist there", () => {
    const doc = `${REPOSITORY_PATHS_MARKER}\nMeasured with bench/run.mjs; see test/runtime/unit/ and bench/gone.mjs.`;
    expect(shippedDocProblems("docs/bench.md", doc, context)).toEqual([expect.stringContaining("names bench/gone.mjs,")]);
  });
});

describe("the package's README", () => {
  it("is its own, not the repository's: install and edge-cqrs init first, nothing of the example", () => {
    const readme = readFileSync(join(packageRoot, "README.md"), "utf8");
    expect(readme).toBe(readFileSync(join(ROOT, "docs/package/README.md"), "utf8"));
    expect(readme).not.toBe(readFileSync(join(ROOT, "README.md"), "utf8"));
    const firstBlock = readme.match(/```sh\n([\s\S]*?)```/)?.[1] ?? "";
    expect(firstBlock).toMatch(/^npx edge-cqrs init /);
    expect(readme).not.toMatch(/npm start\s+#.*example|src\/app\/order|test\/e2e|\.ci\/run/);
  });
});

describe("publishing", () => {
  it("publishes the tarball with the package's README, and refuses npm publish from the repository", () => {
    const dryRun = JSON.parse(execFileSync("npm", ["publish", "--dry-run", "--json", tarball], { cwd: work, env: CHILD_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as Record<
      string,
      { files: { path: string; size: number }[] }
    >;
    const readme = dryRun["edge-cqrs"]!.files.find((f) => f.path === "README.md");
    expect(readme?.size).toBe(Buffer.byteLength(readFileSync(join(ROOT, "docs/package/README.md"), "utf8")));

    const fromRepository = spawnSync("npm", ["publish", "--dry-run"], { cwd: ROOT, env: CHILD_ENV, encoding: "utf8" });
    expect(fromRepository.status).not.toBe(0);
    expect(fromRepository.stderr).toContain("npm publish .tmp/package/edge-cqrs.tgz");
  }, 60_000);
});
