import { mkdtempSync, rmSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkProject, renderFix, type Problem, type ProblemCode } from "../../../src/cli/check/index.js";
import { loadApplication, readLocalSecretNames, readProjectConfig } from "../../../src/cli/project/index.js";
import { manifestOf, type ApplicationShape } from "../../../src/runtime/manifest/index.js";
import { applyTomlFix, CONFIGS, configFixture, FIXTURE_APP, FIXTURES, readText, REPO } from "../support.js";

let application: ApplicationShape;
let scratch: string;

beforeAll(async () => {
  // wrangler takes seconds to load the first time; pay it here, not in the first test.
  await import("wrangler");
  application = await loadApplication(FIXTURE_APP);
  scratch = mkdtempSync(join(tmpdir(), "edge-cqrs-check-"));
  // The fixes reference migrations_dir = "migrations" beside the configuration.
  cpSync(join(CONFIGS, "migrations"), join(scratch, "migrations"), { recursive: true });
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The problems `check` finds in a configuration file, read by wrangler, against an application. */
async function problemsIn(configPath: string, app = application): Promise<Problem[]> {
  const config = await readProjectConfig({ cwd: REPO, configPath }, { hideWarnings: true });
  return checkProject({ config, manifest: manifestOf(app), localSecrets: readLocalSecretNames(dirname(configPath)), localMigrations: [] });
}

/**
 * One mistake: `check` reports exactly it, and the configuration with the printed block applied
 * (appended, or put in place of the block it names) passes.
 */
async function expectOnlyAndFixable(fixture: string, code: ProblemCode): Promise<Problem> {
  const problems = await problemsIn(configFixture(fixture));
  expect(problems.map((p) => p.code)).toEqual([code]);
  const [problem] = problems as [Problem];
  expect(problem.severity).toBe("error");

  const fixed = join(scratch, `${fixture}.toml`);
  writeFileSync(fixed, applyTomlFix(readText(configFixture(fixture)), problem.fix ?? fail(`${code} has no fix`)));
  cpSync(join(CONFIGS, ".dev.vars"), join(scratch, ".dev.vars"));
  expect(await problemsIn(fixed)).toEqual([]);
  return problem;
}

function fail(message: string): never {
  throw new Error(message);
}

describe("edge-cqrs check on a configuration that serves the application", () => {
  it("finds nothing wrong in a complete configuration", async () => {
    expect(await problemsIn(configFixture("valid"))).toEqual([]);
  });

  it("finds nothing wrong in the runtime fixture's wrangler.toml with the fixture application", async () => {
    const fixture = await loadApplication(join(REPO, "test/runtime/fixture/application.ts"));
    const problems = await problemsIn(join(REPO, "test/runtime/fixture/wrangler.toml"), fixture);
    expect(problems.filter((p) => p.severity === "error")).toEqual([]);
  }, 30_000);

  it("finds nothing wrong in the repository's own wrangler.toml with the example application", async () => {
    const example = await loadApplication(join(REPO, "src/app/index.ts"));
    const problems = await problemsIn(join(REPO, "wrangler.toml"), example);
    expect(problems.filter((p) => p.severity === "error")).toEqual([]);
  }, 30_000);
});

describe("edge-cqrs check: the stream catalog and its sweep", () => {
  it("reports a missing catalog producer with the block that declares it", async () => {
    const problem = await expectOnlyAndFixable("stream-catalog-producer-missing", "stream-catalog-producer-missing");
    expect(problem.message).toContain("STREAM_CATALOG_QUEUE");
  });

  it("reports a missing catalog consumer with explicit settings", async () => {
    const problem = await expectOnlyAndFixable("stream-catalog-consumer-missing", "stream-catalog-consumer-missing");
    expect(problem.fix).toMatchObject({ kind: "add", section: "queues.consumers", entry: { queue: "stream-catalog", max_batch_size: 100, max_retries: 10 } });
  });

  it("warns, without failing, when no cron trigger runs the sweep", async () => {
    const problems = await problemsIn(configFixture("stream-sweep-cron-missing"));
    expect(problems).toMatchObject([{ code: "stream-sweep-cron-missing", severity: "warning" }]);
  });
});

describe("edge-cqrs check: the metrics dataset", () => {
  it("reports the Analytics Engine binding the application names for metrics when the configuration lacks it, with the block that declares it", async () => {
    const withMetrics = { ...application, bindings: { metrics: "METRICS" } };
    const problems = await problemsIn(configFixture("valid"), withMetrics);
    expect(problems).toMatchObject([
      { code: "metrics-binding-missing", severity: "error", fix: { kind: "add", section: "analytics_engine_datasets", entry: { binding: "METRICS" } } },
    ]);
    expect(renderFix(problems[0]!.fix!, "toml", "wrangler.toml")).toContain('[[analytics_engine_datasets]]\n    binding = "METRICS"');

    const fixed = join(scratch, "metrics-binding-missing.toml");
    writeFileSync(fixed, applyTomlFix(readText(configFixture("valid")), problems[0]!.fix!));
    cpSync(join(CONFIGS, ".dev.vars"), join(scratch, ".dev.vars"));
    expect(await problemsIn(fixed, withMetrics)).toEqual([]);
  });

  it("asks for nothing when the application names no metrics binding", async () => {
    expect(application.bindings?.metrics).toBeUndefined();
    expect(await problemsIn(configFixture("valid"))).toEqual([]);
  });

  it("finds the runtime fixture's dataset, named by its application", async () => {
    const fixture = await loadApplication(join(REPO, "test/runtime/fixture/application.ts"));
    expect(fixture.bindings?.metrics).toBe("METRICS");
    const problems = await problemsIn(join(REPO, "test/runtime/fixture/wrangler.toml"), fixture);
    expect(problems.filter((p) => p.severity === "error")).toEqual([]);
  }, 30_000);
});

describe("edge-cqrs check: the aggregates' Durable Object", () => {
  it("reports a missing binding with the block that declares it", async () => {
    const problem = await expectOnlyAndFixable("aggregates-binding-missing", "aggregates-binding-missing");
    expect(problem.message).toContain("AGGREGATES");
  });

  it("honours the binding name the application chooses", async () => {
    const renamed = { ...application, bindings: { aggregates: "LOANS" } };
    const problems = await problemsIn(configFixture("valid"), renamed);
    expect(problems.map((p) => p.code)).toEqual(["aggregates-binding-missing", "aggregates-binding-stray"]);
  });

  it("reports a stray binding to the aggregates' class", async () => {
    const problem = await expectOnlyAndFixable("aggregates-binding-stray", "aggregates-binding-stray");
    expect(problem.message).toContain("OLD_AGGREGATES");
  });

  it("reports a class without a migration", async () => {
    const problem = await expectOnlyAndFixable("aggregates-class-without-migration", "aggregates-class-without-migration");
    expect(problem.fix).toMatchObject({ kind: "add", section: "migrations", entry: { new_sqlite_classes: ["AggregateObject"] } });
  });

  it("reports a key-value backed class (new_classes)", async () => {
    await expectOnlyAndFixable("aggregates-class-not-sqlite", "aggregates-class-not-sqlite");
  });
});

describe("edge-cqrs check: the process managers' Durable Object", () => {
  const stateful = (): ApplicationShape => ({ ...application, processManagers: application.processManagers?.map((m) => ({ ...m, stateful: true })) });

  it("asks for nothing while no process manager is stateful", async () => {
    expect(await problemsIn(configFixture("valid"))).toEqual([]);
  });

  it("reports a missing binding and migration for stateful managers, with the blocks that declare them", async () => {
    const problems = await problemsIn(configFixture("valid"), stateful());
    expect(problems.map((p) => [p.code, p.fix])).toEqual([
      [
        "process-managers-binding-missing",
        { kind: "add", section: "durable_objects.bindings", entry: { name: "PROCESS_MANAGERS", class_name: "ProcessManagerObject" } },
      ],
      ["process-managers-class-without-migration", { kind: "add", section: "migrations", entry: { tag: "v2", new_sqlite_classes: ["ProcessManagerObject"] } }],
    ]);
    const fixed = join(scratch, "process-managers.toml");
    writeFileSync(fixed, problems.reduce((text, problem) => applyTomlFix(text, problem.fix!), readText(configFixture("valid"))));
    cpSync(join(CONFIGS, ".dev.vars"), join(scratch, ".dev.vars"));
    expect(await problemsIn(fixed, stateful())).toEqual([]);
  });
});

describe("edge-cqrs check: queue producers", () => {
  it("reports a missing producer with the exact TOML block", async () => {
    const problem = await expectOnlyAndFixable("queue-producer-missing", "queue-producer-missing");
    expect(renderFix(problem.fix!, "toml", "wrangler.toml")).toBe(
      ["add to wrangler.toml:", "", "    [[queues.producers]]", '    binding = "LOANS_BY_MEMBER_QUEUE"', '    queue = "loans-by-member"'].join("\n"),
    );
  });

  it("reports a producer that sends to another queue than the definition's", async () => {
    const problem = await expectOnlyAndFixable("queue-producer-wrong-queue", "queue-producer-wrong-queue");
    expect(problem.message).toContain("sends to queue loans");
  });

  it("reports a stray producer", async () => {
    await expectOnlyAndFixable("queue-producer-stray", "queue-producer-stray");
  });
});

describe("edge-cqrs check: queue consumers and dead-letter queues", () => {
  it("reports a missing consumer, with the dead-letter queue and explicit settings in its block", async () => {
    const problem = await expectOnlyAndFixable("queue-consumer-missing", "queue-consumer-missing");
    expect(problem.fix).toMatchObject({
      entry: { queue: "overdue-reminders", max_batch_size: 100, max_batch_timeout: 0, max_retries: 5, dead_letter_queue: "overdue-reminders-dlq" },
    });
  });

  it("reports a stray consumer", async () => {
    await expectOnlyAndFixable("queue-consumer-stray", "queue-consumer-stray");
  });

  it("reports a consumer that leaves its batch and retry settings to the defaults", async () => {
    const problem = await expectOnlyAndFixable("queue-consumer-settings-implicit", "queue-consumer-settings-implicit");
    expect(problem.message).toContain("max_batch_timeout, max_retries");
  });

  it("reports a consumer without its dead_letter_queue", async () => {
    await expectOnlyAndFixable("dead-letter-queue-missing", "dead-letter-queue-missing");
  });

  it("reports a misspelt dead_letter_queue, and leaves the misspelt key out of the fix", async () => {
    const problem = await expectOnlyAndFixable("dead-letter-queue-misspelt", "dead-letter-queue-missing");
    expect(Object.keys(problem.fix?.kind === "replace" ? problem.fix.entry : {})).not.toContain("dead_leter_queue");
  });

  it("reports a consumer with another dead_letter_queue than the definition's", async () => {
    const problem = await expectOnlyAndFixable("dead-letter-queue-mismatch", "dead-letter-queue-mismatch");
    expect(problem.message).toContain("loans-failed");
  });

  it("reports a dead-letter queue without its own consumer", async () => {
    await expectOnlyAndFixable("dead-letter-consumer-missing", "dead-letter-consumer-missing");
  });

  it("warns, without failing, when a definition has no dead-letter queue", async () => {
    const withoutDlq: ApplicationShape = {
      ...application,
      processManagers: application.processManagers?.map((m) => ({ ...m, queue: { name: m.queue.name, binding: m.queue.binding } })),
    };
    const problems = await problemsIn(configFixture("valid"), withoutDlq);
    // The config still consumes overdue-reminders-dlq and routes to it, which no definition owns now.
    expect(problems.map((p) => [p.code, p.severity])).toEqual([
      ["dead-letter-queue-mismatch", "error"],
      ["queue-consumer-stray", "error"],
      ["dead-letter-queue-undefined", "warning"],
    ]);
  });

  it("reports every block of a forgotten queue at once", async () => {
    const problems = await problemsIn(configFixture("forgotten-queue"));
    expect(problems.map((p) => p.code)).toEqual(["queue-producer-missing", "queue-consumer-missing", "dead-letter-consumer-missing"]);
  });

  it("prints JSON blocks for a wrangler.jsonc", async () => {
    const problems = await problemsIn(configFixture("forgotten-queue", "jsonc"));
    expect(problems.map((p) => p.code)).toEqual(["queue-producer-missing", "queue-consumer-missing", "dead-letter-consumer-missing"]);
    const printed = renderFix(problems[0]!.fix!, "json", "wrangler.jsonc");
    expect(printed.split("\n")[0]).toBe("add to the queues.producers array in wrangler.jsonc:");
    expect(JSON.parse(printed.slice(printed.indexOf("{")))).toEqual({ binding: "LOANS_BY_MEMBER_QUEUE", queue: "loans-by-member" });
  });
});

describe("edge-cqrs check: D1", () => {
  it("reports a missing D1 binding", async () => {
    const problem = await expectOnlyAndFixable("d1-binding-missing", "d1-binding-missing");
    expect(problem.message).toContain("loans-by-member, overdue-reminders");
  });

  it("reports a D1 binding without migrations_dir", async () => {
    await expectOnlyAndFixable("d1-migrations-dir-missing", "d1-migrations-dir-missing");
  });
});

describe("edge-cqrs check: secrets", () => {
  it("warns, without failing, when neither .dev.vars nor vars define API_TOKEN and ADMIN_TOKEN", async () => {
    const problems = await problemsIn(join(FIXTURES, "no-secrets", "wrangler.toml"));
    expect(problems).toMatchObject([{ code: "secret-missing", severity: "warning", fix: { kind: "dev-vars", lines: ["API_TOKEN=<a local-only token>", "ADMIN_TOKEN=<a local-only token>"] } }]);
  });
});
