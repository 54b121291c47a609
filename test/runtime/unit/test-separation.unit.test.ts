import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Tests are sorted one way: by owner, then by scope. test/<owner>/<scope>/, where the owner is the
// runtime (driving its own fixture application in test/runtime/fixture), the example application
// (src/app), the CLI or the package, and the scope is unit (Node), workerd (in workerd through
// @cloudflare/vitest-plugin) or e2e (a real `wrangler dev` or real processes). A file's name ends
// as its scope says, and vitest.config.mts picks each project's files by folder and name, so a
// test anywhere else would run in no project, or in the wrong one.
//
// And the runtime is tested without the example: deleting src/app, src/index.ts and test/app must
// leave the runtime's suite whole. So nothing the runtime's tests are made of reaches into the
// example, whether by import, by the example's generated Worker types, or by starting its Worker.

const REPO = fileURLToPath(new URL("../../..", import.meta.url));

/** Each owner's scopes: its tests live in test/<owner>/<scope>/ (helpers anywhere beside them). */
const LAYOUT: Readonly<Record<string, readonly Scope[]>> = {
  runtime: ["unit", "workerd", "e2e"],
  app: ["unit", "workerd", "e2e"],
  cli: ["unit", "e2e"],
  package: ["e2e"],
};
type Scope = "unit" | "workerd" | "e2e";
/** How a test file's name ends in each scope: the vitest projects select by it. */
const SUFFIX: Readonly<Record<Scope, string>> = { unit: ".unit.test.ts", workerd: ".int.test.ts", e2e: ".e2e.test.ts" };

/** What the runtime's tests are made of, relative to the repository: its tests, its fixture, the generic support. */
const RUNTIME_TEST_DIRS = ["test/runtime", "test/support"];
const CODE = /\.(?:ts|mts|cts|js|mjs)$/;
// What no import shows (a runtime test leaning on the global `Env`, or on `env` and `exports` as
// the example's worker-configuration.d.ts types them) is caught by `npm run typecheck`, which also
// runs `tsc -p test/tsconfig.runtime.json`: the runtime and its tests without the example's types.

/** The example: its domain, its Worker entry, its migrations and contracts, its generated types, its tests. */
const EXAMPLE_PATHS: readonly { readonly prefix: string; readonly what: string }[] = [
  { prefix: "src/app/", what: "the example's domain" },
  { prefix: "src/index", what: "the example's Worker entry" },
  { prefix: "schema/", what: "the example's migrations and contracts" },
  { prefix: "worker-configuration", what: "the example's generated Worker types" },
  { prefix: "test/app/", what: "the example's tests and their support" },
];

/**
 * The only modules that read the Worker under test's `env` and `exports`: everywhere else those are
 * typed as the repository's generated `Env`, the example's. Runtime tests go through these.
 */
const WORKER_ACCESSORS = new Set(["test/runtime/fixture/support/worker.ts", "test/support/worker-under-test.ts"]);
/** The only module that starts a `wrangler dev` for the runtime's tests, on the fixture's configuration. */
const DEV_SERVER_STARTER = "test/runtime/e2e/fixture-dev.ts";
/** This file: its examples of what is caught are made to be caught. */
const THIS_FILE = relative(REPO, fileURLToPath(import.meta.url));

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+|\/\/\/\s*<reference\s+(?:path|types)=)["']([^"']+)["']/gm;
const WORKER_GLOBALS = /\bimport\s*(?:type\s*)?\{([^}]*)\}\s*from\s*["']cloudflare:(?:workers|test)["']/g;

/** Where a test file (a path relative to the repository) breaks the layout, as a readable line. */
function misplaced(file: string): string | undefined {
  const [top, owner, scope] = file.split("/");
  if (top !== "test" || owner === undefined || !(owner in LAYOUT)) {
    return `${file} is outside test/<owner>/<scope>/ (owners: ${Object.keys(LAYOUT).join(", ")})`;
  }
  const scopes = LAYOUT[owner]!;
  if (!scopes.includes(scope as Scope)) return `${file} is not in a scope of ${owner} (${scopes.map((s) => `test/${owner}/${s}/`).join(", ")})`;
  const suffix = SUFFIX[scope as Scope];
  if (!file.endsWith(suffix)) return `${file} is a ${scope} test whose name does not end in ${suffix}`;
  return undefined;
}

/** Each way `text` (the file at repository path `file`) reaches the example, as a readable line. */
function violationsIn(file: string, text: string): string[] {
  const found: string[] = [];
  for (const [, specifier] of text.matchAll(SPECIFIER)) {
    const target = specifier!.startsWith(".") ? relative(REPO, normalize(join(REPO, dirname(file), specifier!))) : specifier!;
    const example = EXAMPLE_PATHS.find((p) => target === p.prefix.replace(/\/$/, "") || target.startsWith(p.prefix));
    if (example) found.push(`${file} imports ${specifier} (${example.what})`);
  }
  if (!WORKER_ACCESSORS.has(file)) {
    for (const [, names] of text.matchAll(WORKER_GLOBALS)) {
      const typedAsExample = names!.split(",").map((n) => n.trim().split(/\s+as\s+/)[0]).filter((n) => n === "env" || n === "exports" || n === "SELF");
      if (typedAsExample.length > 0) found.push(`${file} imports ${typedAsExample.join(", ")} from cloudflare:*, typed as the example's Env (use test/runtime/fixture/support/worker.ts)`);
    }
  }
  if (file !== DEV_SERVER_STARTER && /\bstartWranglerDev\s*\(/.test(text)) {
    found.push(`${file} starts wrangler dev itself, whose default is the example (use ${DEV_SERVER_STARTER})`);
  }
  if (file.endsWith(".int.test.ts") && !file.startsWith("test/runtime/workerd/")) {
    found.push(`${file} is a workerd test outside test/runtime/workerd, where the runtime project runs its tests on the fixture`);
  }
  return found;
}

function codeFiles(directory: string): string[] {
  return readdirSync(join(REPO, directory)).flatMap((entry) => {
    const path = `${directory}/${entry}`;
    if (path === THIS_FILE) return [];
    if (statSync(join(REPO, path)).isDirectory()) return entry === "node_modules" || entry.startsWith(".") ? [] : codeFiles(path);
    return CODE.test(entry) ? [path] : [];
  });
}

describe("the test tree: by owner, then by scope", () => {
  const tests = codeFiles("test").filter((file) => /\.test\.[cm]?[jt]s$/.test(file));

  it("finds the tests of every owner and scope present (the runtime's always are)", () => {
    for (const [owner, scopes] of Object.entries(LAYOUT)) {
      if (owner !== "runtime" && !existsSync(join(REPO, "test", owner))) continue;
      for (const scope of scopes) expect(tests.some((file) => file.startsWith(`test/${owner}/${scope}/`)), `test/${owner}/${scope}/`).toBe(true);
    }
  });

  it("has every test in test/<owner>/<scope>/, named for its scope", () => {
    expect(tests.flatMap((file) => misplaced(file) ?? [])).toEqual([]);
  });

  it.each([
    "test/runtime-int/read-side/outbox.int.test.ts",
    "test/e2e/tour.e2e.test.ts",
    "test/runtime/outbox.unit.test.ts",
    "test/runtime/workerd/outbox.unit.test.ts",
    "test/cli/workerd/check.int.test.ts",
    "test/package/e2e/new-project.test.ts",
    "test/app/unit/order.int.test.ts",
  ])("would catch %s", (file) => {
    expect(misplaced(file)).toBeDefined();
  });

  it.each(["test/runtime/workerd/read-side/outbox.int.test.ts", "test/app/e2e/tour.e2e.test.ts", "test/cli/unit/check.unit.test.ts", "test/package/e2e/new-project.e2e.test.ts"])(
    "accepts %s",
    (file) => {
      expect(misplaced(file)).toBeUndefined();
    },
  );
});

describe("the runtime's tests stand without the example", () => {
  const files = RUNTIME_TEST_DIRS.flatMap(codeFiles);

  it("scans every file the runtime's tests are made of", () => {
    expect(files).toEqual(expect.arrayContaining([DEV_SERVER_STARTER, ...WORKER_ACCESSORS, "test/runtime/fixture/worker.ts", "test/support/http.ts"]));
    expect(files.filter((f) => f.startsWith("test/app/"))).toEqual([]);
  });

  it("reaches nothing of the example", () => {
    expect(files.flatMap((file) => violationsIn(file, readFileSync(join(REPO, file), "utf8")))).toEqual([]);
  });

  it.each([
    ["test/runtime/workerd/x/a.int.test.ts", 'import { application } from "../../../../src/app";'],
    ["test/runtime/workerd/x/a.int.test.ts", 'import worker from "../../../../src/index";'],
    ["test/support/http.ts", 'import type { Env } from "../../worker-configuration";'],
    ["test/runtime/fixture/env.ts", 'type Stub = import("../../../src/index").AggregateObject;'],
    ["test/runtime/e2e/a.e2e.test.ts", 'import { deliver } from "../../app/support/queue-delivery";'],
    ["test/runtime/unit/a.unit.test.ts", 'export { ORDER_DETAILS } from "../../../src/app/queues";'],
    ["test/runtime/workerd/x/a.int.test.ts", 'import migrations from "../../../../schema/migrations/0002.sql";'],
    ["test/runtime/workerd/x/a.int.test.ts", 'import { env } from "cloudflare:workers";'],
    ["test/runtime/workerd/x/a.int.test.ts", 'import { exports as worker } from "cloudflare:workers";'],
    ["test/support/captured-events.ts", 'import { SELF, runInDurableObject } from "cloudflare:test";'],
    ["test/runtime/e2e/a.e2e.test.ts", "const dev = await startWranglerDev();"],
    ["test/runtime/unit/a.int.test.ts", 'import { it } from "vitest";'],
  ])("would catch %s reaching the example: %s", (file, text) => {
    expect(violationsIn(file, text)).toHaveLength(1);
  });

  it("lets the runtime's tests use the runtime, the fixture and the generic support", () => {
    const text = [
      'import { runInDurableObject } from "cloudflare:test";',
      'import { AGGREGATE_ID_PATTERN } from "edge-cqrs";',
      'import { MAX_BODY_BYTES } from "../../../../src/runtime/http";',
      'import { fixtureEnv } from "../../fixture/support/worker";',
      'import { call } from "../../../support/http";',
      'const stub = import("../../fixture/worker");',
    ].join("\n");
    expect(violationsIn("test/runtime/workerd/x/a.int.test.ts", text)).toEqual([]);
  });
});
