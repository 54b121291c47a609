import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../scripts/wrangler-dev.mjs";
import { docBlock, fencedBlocks, projectFileOf, shellCommands, type FencedBlock } from "../../support/markdown-blocks.js";
import {
  commandsWithFolders,
  failure,
  runDocumentedBlock,
  sh,
  shAsync,
  startInBackground,
  stopInBackground,
  waitForHealth,
  writeProjectFile,
  type CommandRun,
} from "../support/doc-runner.js";
import { CHILD_ENV, PACK_TIMEOUT_MS, packedTarball, run, tarballFiles, unpack } from "../support/packed-package.js";

// A newcomer's first hour, outside this repository, from the packed package and its shipped docs
// only: the package README's install, the guide's project built from the guide's own blocks (its
// shell blocks run, its TypeScript blocks written to the files they name, then typechecked and
// tested), the CLI doc's commands, the deploy list checked against `edge-cqrs bindings`, the
// contracts written. Every block is read from the unpacked tarball at run time, so a doc that stops
// working fails here. What is swapped, and only that: the edge-cqrs the docs install from the
// registry is this tarball (`npm install edge-cqrs` and init's dependency), installs prefer npm's
// cache, and the server listens on a free port instead of 8787.
// test/cli/unit/doc-blocks.unit.test.ts holds every shipped shell block to a runner; the blocks
// this file runs are the ones it reads with docBlock.
/** npm install of a fresh project is the slow part: it may fetch from the registry. */
const INSTALL_TIMEOUT_MS = 8 * 60_000;
const PROJECT_TEST_TIMEOUT_MS = 5 * 60_000;
const START_TIMEOUT_MS = 90_000;
const CLI_TIMEOUT_MS = 120_000;

const work = mkdtempSync(join(tmpdir(), "edge-cqrs-package-"));
/** The guide names its project `library`; the docs' commands run from `work`, as from a user's folder. */
const project = join(work, "library");
let tarball = "";
/** The unpacked package: the docs as a user has them in node_modules/edge-cqrs. */
let shipped = "";
let server: ReturnType<typeof startInBackground> | undefined;
let port = 0;

const block = (doc: string, first: string) => docBlock(shipped, doc, first);

/** The doc's commands with the registry's edge-cqrs swapped for the tarball, and npm's cache preferred. */
function fromTarball(command: string): string {
  return command
    .replace(/^npm install edge-cqrs /, `npm install --prefer-offline ${tarball} `)
    .replace(/^npm install$/, "npm install --prefer-offline")
    .replace(/^npx edge-cqrs init (\S+)$/, `npx edge-cqrs init $1 --edge-cqrs file:${tarball}`);
}

/** Runs a command of a doc and expects it to succeed; its output. */
function ok(command: string, cwd: string, timeout = CLI_TIMEOUT_MS): CommandRun {
  const result = sh(fromTarball(command), cwd, timeout);
  if (result.code !== 0) throw new Error(failure(result, cwd));
  return result;
}

/** {@link ok} without blocking, for the last checks, which read the finished project side by side. */
async function okAsync(command: string, cwd: string, timeout = CLI_TIMEOUT_MS, env: NodeJS.ProcessEnv = CHILD_ENV): Promise<CommandRun> {
  const result = await shAsync(fromTarball(command), cwd, timeout, env);
  if (result.code !== 0) throw new Error(failure(result, cwd));
  return result;
}

/** The guide's blocks that name a file of its project, in the guide's order. */
function guideFiles(): FencedBlock[] {
  const guide = readFileSync(join(shipped, "docs/guide.md"), "utf8");
  return fencedBlocks("docs/guide.md", guide).filter((b) => projectFileOf(b) !== undefined);
}

beforeAll(async () => {
  tarball = join(work, "edge-cqrs.tgz");
  writeFileSync(tarball, readFileSync(await packedTarball()));
  mkdirSync(join(work, "unpacked"));
  shipped = unpack(tarball, join(work, "unpacked"));
}, PACK_TIMEOUT_MS);

afterAll(() => {
  stopInBackground(server);
  rmSync(work, { recursive: true, force: true });
});

describe("a new project built on the packed edge-cqrs, as the shipped docs say", () => {
  it("packs the runtime, its CLI and templates, and nothing of the example or the tests", () => {
    const listing = tarballFiles(tarball);
    expect(listing).toEqual(expect.arrayContaining(["dist/runtime/index.js", "dist/runtime/index.d.ts", "dist/runtime/testing.js", "dist/cli/edge-cqrs.js"]));
    expect(listing).toEqual(expect.arrayContaining(["templates/basic/package.json", "templates/integration-consumer/wrangler.toml"]));
    expect(listing.filter((f) => /^(src|test|bench|schema)\//.test(f) || f.includes("/app/order"))).toEqual([]);
  });

  it("installs edge-cqrs into a Worker project as the package README says", () => {
    run("npm", ["init", "-y"], work, 60_000);
    for (const { command } of commandsWithFolders(block("README.md", "npm install edge-cqrs zod hono @hono/zod-openapi"), work)) ok(command, work, INSTALL_TIMEOUT_MS);
    expect(existsSync(join(work, "node_modules", ".bin", "edge-cqrs"))).toBe(true);
  }, INSTALL_TIMEOUT_MS);

  it("creates the guide's project with its first block, and the project's npm test passes from a fresh clone's files (no .dev.vars)", () => {
    const first = block("docs/guide.md", "npx edge-cqrs init library");
    const commands = shellCommands(first);
    // The package README, the CLI doc and the new project's README say the same, in other words.
    expect(shellCommands(block("README.md", "npx edge-cqrs init library"))).toEqual(commands);
    expect(shellCommands(block("docs/cli.md", "npx edge-cqrs init my-app")).map((c) => c.replace("my-app", "library"))).toEqual(commands);
    expect(shellCommands(block("templates/basic/README.md", "npm install"))).toEqual(commands.slice(commands.indexOf("cd library") + 1));
    expect(commands.at(-1)).toBe("npm start"); // started in the next test, in the background

    const steps = commandsWithFolders(first, work).filter((s) => s.command !== "npm start");
    const outputs = steps.map(({ command, cwd }) => {
      // git ignores .dev.vars, so a clone of the project has only its example: npm test makes it.
      if (command === "npm test") rmSync(join(project, ".dev.vars"));
      return ok(command, cwd, command.startsWith("npm ") ? INSTALL_TIMEOUT_MS : CLI_TIMEOUT_MS).stdout;
    });
    expect(steps.map((s) => s.command)).toContain("npm test");
    expect(JSON.parse(readFileSync(join(project, "package.json"), "utf8")).dependencies["edge-cqrs"]).toBe(`file:${tarball}`);
    expect(outputs.at(-1)).toMatch(/Tests\s+\d+ passed/);
    expect(readFileSync(join(project, ".dev.vars"), "utf8")).toBe(readFileSync(join(project, ".dev.vars.example"), "utf8"));
    expect(existsSync(join(project, "node_modules", "edge-cqrs", "src"))).toBe(false);
  }, INSTALL_TIMEOUT_MS + PROJECT_TEST_TIMEOUT_MS);

  it("serves it with npm start from a fresh clone's files (no .dev.vars), and the guide's commands print what the guide shows", async () => {
    // git ignores .dev.vars, so a clone of the project has only its example: npm start makes it.
    rmSync(join(project, ".dev.vars"));
    port = await freePort();
    server = startInBackground(`npm start -- --port ${port} --ip 127.0.0.1 --inspector-port ${await freePort()}`, project);
    await waitForHealth(`http://127.0.0.1:${port}/health`, START_TIMEOUT_MS, "npm start");
    expect(readFileSync(join(project, ".dev.vars"), "utf8")).toBe(readFileSync(join(project, ".dev.vars.example"), "utf8"));
    const tour = block("docs/guide.md", "API='Authorization: Bearer dev-api-token'");
    expect(block("README.md", "API='Authorization: Bearer dev-api-token'").text).toBe(tour.text);
    expect(block("templates/basic/README.md", "API='Authorization: Bearer dev-api-token'").text).toBe(tour.text);
    const runs = await runDocumentedBlock(tour, project, (c) => c.replaceAll("localhost:8787", `127.0.0.1:${port}`), 30_000);
    expect(runs).toHaveLength(2);
  }, START_TIMEOUT_MS + 60_000);

  it("answers the CLI doc's --help and --version", () => {
    const [help, commandHelp, version] = commandsWithFolders(block("docs/cli.md", "npx edge-cqrs --help"), project).map(({ command, cwd }) => ok(command, cwd).stdout);
    expect(help).toContain("contracts");
    expect(commandHelp).toContain("Usage: edge-cqrs check");
    expect(version!.trim()).toBe(JSON.parse(readFileSync(join(shipped, "package.json"), "utf8")).version);
  });

  it("adds the guide's projection: check names its queue, the printed blocks fix it, the migration applies while npm start runs", () => {
    const check = block("docs/guide.md", "npx edge-cqrs check");
    const written = guideFiles()
      .filter((b) => b.line < check.line)
      .map((b) => writeProjectFile(b, project));
    expect(written).toEqual(expect.arrayContaining(["src/app/member-loans/projection.ts", "src/app/member-loans/query.ts", "migrations/0002_create_member_loans.sql"]));

    const forgotten = sh(shellCommands(check)[0]!, project, CLI_TIMEOUT_MS);
    expect(forgotten.code, failure(forgotten, project)).toBe(1);
    expect(forgotten.stdout).toContain("MEMBER_LOANS_QUEUE");
    // The blocks check printed, pasted as they are.
    const blocks = [...forgotten.stdout.matchAll(/^ *\[\[queues\.(?:producers|consumers)\]\]\n(?: +[a-z_]+ = .+\n?)+/gm)].map((m) => m[0].trimEnd().replace(/^ +/gm, ""));
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    writeFileSync(join(project, "wrangler.toml"), `${readFileSync(join(project, "wrangler.toml"), "utf8")}\n${blocks.join("\n\n")}\n`);
    ok(shellCommands(block("docs/guide.md", "npm run types"))[0]!, project);

    // The guide's migrate, beside the running server. The CLI doc's is the same command: the
    // project's migrate script is `edge-cqrs migrate`.
    const migrated = ok(shellCommands(block("docs/guide.md", "npm run migrate"))[0]!, project);
    expect(`${migrated.stdout}${migrated.stderr}`).toContain("0002_create_member_loans.sql");
    expect(shellCommands(block("docs/cli.md", "npx edge-cqrs migrate"))).toEqual([`npx ${JSON.parse(readFileSync(join(project, "package.json"), "utf8")).scripts.migrate}`]);
    stopInBackground(server);
    server = undefined;
  }, 4 * CLI_TIMEOUT_MS);

  // From here on the tests only read the project, except for files nothing else reads (the guide's
  // later files, written before the first await; the projector's configuration): side by side.
  it.concurrent("builds every other file the guide shows, and the project typechecks, tests and checks clean", async () => {
    const check = block("docs/guide.md", "npx edge-cqrs check");
    const written = guideFiles()
      .filter((b) => b.line > check.line)
      .map((b) => writeProjectFile(b, project));
    expect(written).toEqual(expect.arrayContaining(["test/member-loans.int.test.ts", "src/app/overdue/process-manager.ts", "test/overdue.unit.test.ts", "src/index.ts"]));
    // What the project's npm test runs after dev-vars and wrangler types (which the steps above
    // ran), its tests narrowed to the guide's: the first block's npm test ran the others.
    const tests = guideFiles()
      .map((b) => projectFileOf(b)!.path)
      .filter((file) => /^test\/.*\.test\.ts$/.test(file));
    expect(tests).toEqual(expect.arrayContaining(["test/returning.unit.test.ts", "test/member-loans.int.test.ts", "test/overdue.unit.test.ts"]));
    const output = (await okAsync(`npx tsc --noEmit && npx vitest run ${tests.join(" ")} && npx edge-cqrs check`, project, PROJECT_TEST_TIMEOUT_MS)).stdout;
    for (const file of tests) expect(output).toContain(file);
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(output).toContain("ok: wrangler.toml provides everything the application needs");
  }, PROJECT_TEST_TIMEOUT_MS);

  it.concurrent("lists in the guide's deploy section exactly what edge-cqrs bindings prints for the guide's project", async () => {
    const deploy = fencedBlocks("docs/guide.md", readFileSync(join(shipped, "docs/guide.md"), "utf8")).find(
      (b) => b.flags.includes("no-run") && shellCommands(b).includes("npx edge-cqrs bindings"),
    );
    const creates = (lines: string[]) => lines.filter((line) => /^npx wrangler (?:d1 create|queues create|secret put) /.test(line));
    const printed = (await okAsync("npx edge-cqrs bindings", project)).stdout;
    const toCreate = printed.slice(printed.indexOf("To create before the first deploy")).split("\n").map((line) => line.trim());
    expect(creates(toCreate)).toEqual(expect.arrayContaining(["npx wrangler queues create stream-catalog", "npx wrangler queues create member-loans-dlq"]));
    expect(creates(shellCommands(deploy!))).toEqual(creates(toCreate));
  }, CLI_TIMEOUT_MS);

  it.concurrent("writes the contracts with the guide's and the integration doc's command", async () => {
    const contracts = block("docs/guide.md", "npx edge-cqrs contracts");
    expect(shellCommands(block("docs/integration-events.md", "npx edge-cqrs contracts"))).toEqual(shellCommands(contracts));
    await okAsync(shellCommands(contracts)[0]!, project);
    expect(readdirSync(join(project, "contracts", "commands")).sort()).toEqual(["loan.borrow.json", "loan.return.json"]);
    expect(JSON.parse(readFileSync(join(project, "contracts", "events", "loan.BookBorrowed.v1.json"), "utf8"))).toMatchObject({ type: "object" });
  }, CLI_TIMEOUT_MS);

  it.concurrent("scaffolds a project from a tarball with npx --package, as the CLI doc says", async () => {
    const fromTarball = block("docs/cli.md", "npm pack");
    const [pack, ...rest] = shellCommands(fromTarball);
    // `npm pack` needs a checkout of edge-cqrs: the tarball under test is what it packs, under npm's
    // name, in a folder with a package.json above it (the Worker project of the README's install),
    // as a checkout's try/ has.
    const version = JSON.parse(readFileSync(join(shipped, "package.json"), "utf8")).version as string;
    expect(pack).toBe("npm pack");
    const checkout = join(work, "checkout");
    mkdirSync(checkout);
    writeFileSync(join(checkout, `edge-cqrs-${version}.tgz`), readFileSync(tarball));
    // The last line installs and tests the new project: the guide's first block, which ran above.
    const last = rest.pop()!.split(/\s*&&\s*/);
    const guide = shellCommands(block("docs/guide.md", "npx edge-cqrs init library"));
    expect(last.map((c) => c.replace("my-app", "library"))).toEqual(guide.slice(guide.indexOf("cd library"), guide.indexOf("npm test") + 1));
    // npx installs the tarball's dependencies into its cache: from npm's cache where it can.
    await okAsync(rest.join("\n"), checkout, INSTALL_TIMEOUT_MS, { ...CHILD_ENV, npm_config_prefer_offline: "true" });
    const manifest = JSON.parse(readFileSync(join(checkout, "try", "my-app", "package.json"), "utf8"));
    expect(manifest.dependencies["edge-cqrs"]).toBe(`file:../edge-cqrs-${version}.tgz`);
  }, INSTALL_TIMEOUT_MS);

  it.concurrent("bundles the projector Worker of docs/deploying.md for Cloudflare", async () => {
    const projector = fencedBlocks("docs/deploying.md", readFileSync(join(shipped, "docs/deploying.md"), "utf8")).find((b) => b.lang === "toml" && projectFileOf(b) !== undefined);
    const file = writeProjectFile(projector!, project);
    await okAsync(`npx wrangler deploy --dry-run --outdir ${join(work, "projector-bundle")} -c ${file}`, project);
  }, CLI_TIMEOUT_MS);
});
