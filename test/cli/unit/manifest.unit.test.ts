import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkProject, type Problem } from "../../../src/cli/check/index.js";
import { main } from "../../../src/cli/main.js";
import { loadApplication, readProjectConfig, type ReadProjectConfig } from "../../../src/cli/project/index.js";
import { locationOf, missingBindings } from "../../../src/runtime/create-runtime/assert-bindings.js";
import { manifestOf, producerBlocks, renderBlock, type ApplicationShape } from "../../../src/runtime/manifest/index.js";
import { applyTomlFix, configFixture, FIXTURE_APP, FIXTURES, readText } from "../support.js";

// Which bindings an application needs is worked out once, by manifestOf. A projection added to the
// fixture application, and nothing else edited, reaches every consumer of that answer: the
// runtime's fail-fast check of a Worker's env, the aggregate object's `misconfigured` blocks,
// `edge-cqrs check` and the list `edge-cqrs bindings` prints.

const NEW_PROJECTION = {
  name: "overdue-loans",
  aggregates: ["loan"],
  database: "OVERDUE_DB",
  queue: { name: "overdue-loans", binding: "OVERDUE_LOANS_QUEUE", deadLetterQueue: "overdue-loans-dlq" },
};

/** A Worker's env with every binding configs/valid.toml declares for the fixture application, and its secrets. */
const queue = { send() {}, sendBatch() {} };
const validEnv = () => ({
  AGGREGATES: { idFromName() {} },
  READ_DB: { prepare() {}, batch() {} },
  LOANS_BY_MEMBER_QUEUE: queue,
  OVERDUE_REMINDERS_QUEUE: queue,
  STREAM_CATALOG_QUEUE: queue,
  API_TOKEN: "api",
  ADMIN_TOKEN: "admin",
});

let dir: string;
let withProjectionModule: string;
let before: ApplicationShape;
let after: ApplicationShape;
let config: ReadProjectConfig;

beforeAll(async () => {
  await import("wrangler");
  dir = mkdtempSync(join(tmpdir(), "edge-cqrs-manifest-"));
  // The fixture application as its module exports it, with one projection more.
  withProjectionModule = join(dir, "app.ts");
  writeFileSync(
    withProjectionModule,
    [
      `import { application as fixture } from ${JSON.stringify(FIXTURE_APP)};`,
      `export const application = { ...fixture, projections: [...fixture.projections, ${JSON.stringify(NEW_PROJECTION)}] };`,
    ].join("\n"),
  );
  before = await loadApplication(FIXTURE_APP);
  after = await loadApplication(withProjectionModule);
  config = await readProjectConfig({ cwd: FIXTURES, configPath: configFixture("valid") }, { hideWarnings: true });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const problemsIn = (text: ReadProjectConfig, application: ApplicationShape): Problem[] =>
  checkProject({ config: text, manifest: manifestOf(application), localSecrets: ["API_TOKEN", "ADMIN_TOKEN"], localMigrations: [] });

describe("the manifest of an application with a projection added", () => {
  it("lists the projection's producer, consumer, dead-letter consumer and D1 binding with their blocks", () => {
    const added = manifestOf(after).filter((r) => !manifestOf(before).some((b) => b.kind === r.kind && b.name === r.name));
    expect(added.map((r) => [r.kind, r.name, r.neededBy])).toEqual([
      ["queue-producer", "OVERDUE_LOANS_QUEUE", "projection overdue-loans"],
      ["queue-consumer", "overdue-loans", "projection overdue-loans"],
      ["dead-letter-consumer", "overdue-loans-dlq", "projection overdue-loans"],
      ["d1-database", "OVERDUE_DB", "projection overdue-loans"],
    ]);
    for (const r of added) {
      if (r.kind === "secret") continue;
      expect(r.block.toml).toBe(renderBlock(r.block.section, r.block.entry, "toml"));
      expect(JSON.parse(r.block.json)).toEqual(r.block.entry);
    }
  });

  it("fails the runtime's check of an env that has only the bindings the fixture had, naming the new producer and D1 binding", () => {
    expect(missingBindings(validEnv(), manifestOf(before), "deployed")).toEqual([]);
    const problems = missingBindings(validEnv(), manifestOf(after), "deployed");
    // Consumers and dead-letter queues are not in a Worker's env: the runtime sees the producer and the database.
    expect(problems).toEqual([
      expect.stringContaining('queue-producer OVERDUE_LOANS_QUEUE (needed by projection overdue-loans) is missing; add to wrangler.toml:\n[[queues.producers]]\nbinding = "OVERDUE_LOANS_QUEUE"\nqueue = "overdue-loans"'),
      expect.stringContaining('d1-database OVERDUE_DB (needed by projection overdue-loans) is missing; add to wrangler.toml:\n[[d1_databases]]\nbinding = "OVERDUE_DB"'),
    ]);
  });

  it("names the one fix for a missing secret where the Worker runs: .dev.vars under wrangler dev, wrangler secret put when deployed", () => {
    const { API_TOKEN: _, ...withoutToken } = validEnv();
    const [local] = missingBindings(withoutToken, manifestOf(before), "local");
    expect(local).toContain("secret API_TOKEN");
    expect(local).toContain("add the line API_TOKEN=<a local-only token> to .dev.vars");
    expect(local).toContain("npx edge-cqrs dev-vars");
    expect(local).not.toContain("wrangler secret put");
    expect(local).not.toContain("wrangler.toml");
    const [deployed] = missingBindings(withoutToken, manifestOf(before), "deployed");
    expect(deployed).toContain("set it with `npx wrangler secret put API_TOKEN`");
    expect(deployed).not.toContain(".dev.vars");
    expect(deployed).not.toContain("wrangler.toml");
  });

  it("tells wrangler dev from a deployed Worker by the request's host", () => {
    for (const url of ["http://localhost:8787/orders/o-1", "http://127.0.0.1:9000/", "http://[::1]:8787/", "http://app.localhost:8787/"]) expect(locationOf(url)).toBe("local");
    for (const url of ["https://shop.example.workers.dev/orders", "https://api.example.com/", "https://localhost.example.com/"]) expect(locationOf(url)).toBe("deployed");
  });

  it("gives the aggregate object the block of the new producer for its misconfigured answer", () => {
    // What the object does with the routes whose producer the env lacks: it names their bindings.
    expect(producerBlocks(manifestOf(after), ["OVERDUE_LOANS_QUEUE"])).toEqual(['[[queues.producers]]\nbinding = "OVERDUE_LOANS_QUEUE"\nqueue = "overdue-loans"']);
    expect(producerBlocks(manifestOf(before), ["OVERDUE_LOANS_QUEUE"])).toEqual([]);
  });

  it("makes edge-cqrs check report the configuration's missing queue, consumers and D1 binding, and pass once their blocks are added", async () => {
    expect(problemsIn(config, before)).toEqual([]);
    const problems = problemsIn(config, after);
    expect(problems.map((p) => [p.code, p.fix?.kind === "add" ? p.fix.entry : undefined])).toEqual([
      ["queue-producer-missing", { binding: "OVERDUE_LOANS_QUEUE", queue: "overdue-loans" }],
      ["queue-consumer-missing", expect.objectContaining({ queue: "overdue-loans", dead_letter_queue: "overdue-loans-dlq" })],
      ["dead-letter-consumer-missing", expect.objectContaining({ queue: "overdue-loans-dlq" })],
      ["d1-binding-missing", expect.objectContaining({ binding: "OVERDUE_DB", migrations_dir: "migrations" })],
    ]);

    const fixed = join(dir, "wrangler.toml");
    writeFileSync(fixed, problems.reduce((text, p) => applyTomlFix(text, p.fix!), readText(configFixture("valid"))));
    expect(problemsIn(await readProjectConfig({ cwd: dir, configPath: fixed }, { hideWarnings: true }), after)).toEqual([]);
  }, 30_000);

  it("makes edge-cqrs bindings list them, and the commands that create the new queues and database", async () => {
    const lines: string[] = [];
    const context = { cwd: FIXTURES, out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    expect(await main(["bindings", "-c", configFixture("valid"), "--app", withProjectionModule], context)).toBe(0);
    const printed = lines.join("\n");
    expect(printed).toMatch(/^queue-producer +OVERDUE_LOANS_QUEUE -> overdue-loans +projection overdue-loans$/m);
    expect(printed).toMatch(/^queue-consumer +overdue-loans +projection overdue-loans$/m);
    expect(printed).toMatch(/^dead-letter-consumer +overdue-loans-dlq +projection overdue-loans$/m);
    expect(printed).toMatch(/^d1-database +OVERDUE_DB +projection overdue-loans$/m);
    for (const command of ["npx wrangler queues create overdue-loans", "npx wrangler queues create overdue-loans-dlq", "npx wrangler d1 create overdue-db"]) {
      expect(printed).toContain(`  ${command}\n`);
    }
  }, 30_000);
});
