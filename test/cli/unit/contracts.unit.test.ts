import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTRACT_FOLDERS } from "../../../src/cli/contracts/index.js";
import { main } from "../../../src/cli/main.js";
import { configFixture, FIXTURE_APP, REPO, repoTempDir } from "../support.js";

// `edge-cqrs contracts`: the application's contracts as JSON Schema files, the command a user runs
// to get what docs/integration-events.md tells them to hand to consumers. The example's checked-in
// schema/contracts is the reference: the command, reading src/app as any project's application,
// must write exactly those files.
const CHECKED_IN = join(REPO, "schema/contracts");

let scratch: string;

beforeAll(async () => {
  await import("wrangler");
  scratch = repoTempDir("contracts-");
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `edge-cqrs contracts …` in-process from `cwd`; its exit code and what it printed. */
async function contracts(args: string[], cwd = REPO): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["contracts", ...args], { cwd, out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort();
}

describe("edge-cqrs contracts", () => {
  it("writes the example's command, event and public-event schemas exactly as schema/contracts holds them", async () => {
    const out = join(scratch, "example");
    const result = await contracts(["--out", out]);
    expect(result.code, result.err).toBe(0);
    expect(filesUnder(out)).toEqual(filesUnder(CHECKED_IN));
    for (const file of filesUnder(out)) expect(readFileSync(join(out, file), "utf8"), file).toBe(readFileSync(join(CHECKED_IN, file), "utf8"));
    expect(filesUnder(out).some((f) => f.startsWith("public/com.example.order."))).toBe(true);
  }, 60_000);

  it("--check passes on an up-to-date folder and names each missing, changed and extra file otherwise, writing nothing", async () => {
    expect((await contracts(["--check", "--out", "schema/contracts"])).code).toBe(0);
    const copy = join(scratch, "stale");
    cpSync(CHECKED_IN, copy, { recursive: true });
    rmSync(join(copy, "commands/order.place.json"));
    writeFileSync(join(copy, "events/order.OrderShipped.v1.json"), "{}\n");
    writeFileSync(join(copy, "public/com.example.order.returned.json"), "{}\n");
    const stale = await contracts(["--check", "--out", copy]);
    expect(stale.code).toBe(1);
    expect(stale.err).toMatch(/missing +commands\/order\.place\.json/);
    expect(stale.err).toMatch(/changed +events\/order\.OrderShipped\.v1\.json/);
    expect(stale.err).toMatch(/extra +public\/com\.example\.order\.returned\.json/);
    expect(existsSync(join(copy, "commands/order.place.json"))).toBe(false);
  }, 60_000);

  it("brings a stale folder up to date, removing only its own JSON files that no contract produces", async () => {
    const copy = join(scratch, "update");
    cpSync(CHECKED_IN, copy, { recursive: true });
    writeFileSync(join(copy, "events/order.OrderShipped.v1.json"), "{}\n");
    writeFileSync(join(copy, "public/com.example.order.returned.json"), "{}\n");
    writeFileSync(join(copy, "README.md"), "ours\n");
    mkdirSync(join(copy, "ours"));
    writeFileSync(join(copy, "ours/extra.json"), "{}\n");
    const result = await contracts(["--out", copy]);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/updated +events\/order\.OrderShipped\.v1\.json/);
    expect(result.out).toMatch(/removed +public\/com\.example\.order\.returned\.json/);
    expect((await contracts(["--check", "--out", copy])).code).toBe(0);
    expect(readFileSync(join(copy, "README.md"), "utf8")).toBe("ours\n");
    expect(existsSync(join(copy, "ours/extra.json"))).toBe(true);
  }, 60_000);

  it("writes into contracts/ beside the wrangler configuration by default, from any folder of the project", async () => {
    const project = join(scratch, "project");
    mkdirSync(join(project, "src"), { recursive: true });
    cpSync(join(REPO, "test/runtime/fixture/wrangler.toml"), join(project, "wrangler.toml"));
    cpSync(join(REPO, "test/runtime/fixture/migrations"), join(project, "migrations"), { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ "edge-cqrs": { app: join(REPO, "test/runtime/fixture/application.ts") } }));
    const result = await contracts([], join(project, "src"));
    expect(result.code, result.err).toBe(0);
    expect(filesUnder(join(project, "contracts"))).toContain("commands/account.open.json");
    expect(result.out).toContain("../contracts/");
  }, 60_000);

  it("refuses an application whose definitions carry no schemas, naming the field", async () => {
    const result = await contracts(["--check", "--config", configFixture("valid"), "--app", FIXTURE_APP, "--out", join(scratch, "none")]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/aggregates\.0\.commands/);
  }, 60_000);

  it("owns exactly the folders contractSchemas writes", async () => {
    const out = join(scratch, "example");
    expect(readdirSync(out).sort()).toEqual([...CONTRACT_FOLDERS].sort());
  });
});
