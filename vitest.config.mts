import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { cloudflareTest, readD1Migrations, type D1Migration } from "@cloudflare/vitest-plugin";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// The example and the tests import the runtime by its package name; in this repository that name
// is the source. Inside workerd it is the full entry, in Node the entry without createRuntime,
// exactly as the published package's `workerd` and `default` export conditions choose.
const runtimeAlias = (entry: string) => [
  { find: /^edge-cqrs$/, replacement: new URL(entry, import.meta.url).pathname },
  { find: /^edge-cqrs\/testing$/, replacement: new URL("./src/runtime/testing.ts", import.meta.url).pathname },
];

const tokens = { API_TOKEN: "test-api-token", ADMIN_TOKEN: "test-admin-token" };

/**
 * A D1 migrations directory, read once per run and only by a project that runs (reading it loads
 * wrangler, which the Node projects never need).
 */
function migrationsOf(directory: string): () => Promise<D1Migration[]> {
  let read: Promise<D1Migration[]> | undefined;
  return () => (read ??= readD1Migrations(directory));
}
const exampleMigrations = migrationsOf("schema/migrations");
const fixtureMigrations = migrationsOf("test/runtime/fixture/migrations");

/**
 * Each workerd test file gets a fresh workerd, and every module it imports is sent to it anew,
 * source map included. Third-party packages (zod, hono) are three quarters of those bytes and of
 * the time a file spends before its first test; loaded without a source map, they cost a third as
 * much. Errors in the repository's own code still map to its TypeScript lines; only frames inside
 * node_modules show the line numbers of the code that ran.
 */
function dependenciesWithoutSourceMaps(): Plugin {
  return {
    name: "edge-cqrs:dependencies-without-source-maps",
    enforce: "pre",
    async load(id) {
      if (!/\/node_modules\/[^?]+\.m?js$/.test(id)) return null;
      // An empty mapping is Rollup's "no source map": Vite passes it through, Vitest inlines none.
      return { code: await readFile(id, "utf8"), map: { mappings: "" } };
    },
  };
}

/**
 * The files of a workerd project share one workerd, its Durable Objects and its D1 (isolate:
 * false): a fresh workerd per file costs about 3 s of CPU before the file's first test, more than
 * most files' tests. Each such file works under ids of its own and asserts only on them. A file
 * whose assertions cover the whole store (a listing of every projection, a sweep of every stream,
 * a rebuild, the cron's lag, every row of a table) is named *.fresh.int.test.ts and runs in a
 * project that gives it an empty one.
 */
const FRESH = "test/runtime/workerd/**/*.fresh.int.test.ts";

/** A vitest project on the runtime's fixture application, in workerd. */
function runtimeProject(test: { name: string; isolate: boolean; include: string[]; exclude?: string[] }) {
  return {
    resolve: { alias: runtimeAlias("./src/runtime/index.ts") },
    plugins: [
      dependenciesWithoutSourceMaps(),
      cloudflareTest(async () => ({
        wrangler: { configPath: "./test/runtime/fixture/wrangler.toml" },
        miniflare: { bindings: { TEST_MIGRATIONS: await fixtureMigrations(), ...tokens } },
      })),
    ],
    test: { ...test, setupFiles: ["test/support/apply-migrations.ts"], testTimeout: 30_000, hookTimeout: 30_000 },
  };
}

const SHARED_DEV_SERVER = "test/app/support/shared-dev-server.global-setup.ts";

/** The package test alone takes about two minutes: it starts first, so the other e2e files run beside it. */
const STARTS_FIRST = ["test/package/e2e/new-project.e2e.test.ts"];
class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const first = (file: TestSpecification) => STARTS_FIRST.some((path) => file.moduleId.endsWith(path));
    return [...sorted.filter(first), ...sorted.filter((file) => !first(file))];
  }
}

// Tests live in test/<owner>/<scope>/ (test/runtime/unit/test-separation.unit.test.ts holds them
// to it). Owners: the runtime (on its own fixture application, test/runtime/fixture), the example
// application (app), the CLI, the package. Scopes, named in the file name too: unit (*.unit, pure,
// in Node), workerd (*.int, inside workerd with real local Durable Objects, Queues and D1) and e2e
// (*.e2e, in Node, driving a real `wrangler dev` over HTTP or starting real processes).
//
// Workers per project, measured on 2 cores: unit and workerd files are CPU-bound, so two at a time
// (the default would be one); e2e files mostly wait on servers and timers, so three at a time.
// Projects that differ in workers need their own `groupOrder` when one `vitest run` runs them all.
export default defineConfig({
  test: {
    // The runtime writes one JSON line per command and per projector batch (docs/operations.md):
    // printed, the info lines would drown a run's output; warnings and errors still show.
    onConsoleLog: (log: string) => !log.startsWith('{"level":"info"'),
    // Local queues keep consuming after a file's last test. A line their consumers log once vitest
    // has closed that file's channel fails to reach it: a harness artifact, not a failing test.
    onUnhandledError: (error: unknown) => !String((error as { message?: unknown } | undefined)?.message).includes('while "onUserConsoleLog" was pending'),
    sequence: { sequencer: SlowestFirst },
    maxWorkers: 2,
    projects: [
      {
        resolve: { alias: runtimeAlias("./src/runtime/index.node.ts") },
        test: { name: "unit", environment: "node", isolate: false, include: ["test/*/unit/**/*.unit.test.ts"] },
      },
      {
        resolve: { alias: runtimeAlias("./src/runtime/index.ts") },
        plugins: [
          dependenciesWithoutSourceMaps(),
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: { TEST_MIGRATIONS: await exampleMigrations(), ...tokens },
            },
          })),
        ],
        // The example's workerd tests, on its own wrangler.toml and src/index.ts.
        test: {
          name: "workers",
          isolate: false,
          include: ["test/app/workerd/**/*.int.test.ts"],
          setupFiles: ["test/support/apply-migrations.ts"],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      // The runtime's own workerd tests: the same workerd, driving the small fixture application
      // in test/runtime/fixture rather than the example, so they hold without src/app.
      runtimeProject({ name: "runtime", isolate: false, include: ["test/runtime/workerd/**/*.int.test.ts"], exclude: [FRESH] }),
      runtimeProject({ name: "runtime-fresh", isolate: true, include: [FRESH] }),
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/*/e2e/**/*.e2e.test.ts"],
          // One `wrangler dev` of the example, started on first use and shared by the e2e files
          // that need nothing more (test/app/support/shared-dev-server.ts); absent with the
          // example (the runtime's suite alone, test/runtime/fixture/README.md).
          globalSetup: [SHARED_DEV_SERVER].filter((file) => existsSync(new URL(`./${file}`, import.meta.url))),
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 3,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
