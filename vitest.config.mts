import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// The example and the tests import the runtime by its package name; in this repository that name
// is the source. Inside workerd it is the full entry, in Node the entry without createRuntime,
// exactly as the published package's `workerd` and `default` export conditions choose.
const runtimeAlias = (entry: string) => [
  { find: /^edge-cqrs$/, replacement: new URL(entry, import.meta.url).pathname },
  { find: /^edge-cqrs\/testing$/, replacement: new URL("./src/runtime/testing.ts", import.meta.url).pathname },
];

// Three scopes, told apart by file name: *.unit tests are pure and run in Node; *.int tests run
// inside workerd with real local Durable Objects, Queues and D1; *.e2e tests run in Node and drive
// a real `wrangler dev` over HTTP.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("schema/migrations");
  const fixtureMigrations = await readD1Migrations("test/fixture/migrations");
  const tokens = { API_TOKEN: "test-api-token", ADMIN_TOKEN: "test-admin-token" };
  return {
    test: {
      // The runtime writes one JSON line per command and per projector batch (docs/operations.md):
      // printed, the info lines would drown a run's output; warnings and errors still show.
      onConsoleLog: (log: string) => !log.startsWith('{"level":"info"'),
      // Local queues keep consuming after a file's last test. A line their consumers log once vitest
      // has closed that file's channel fails to reach it: a harness artifact, not a failing test.
      onUnhandledError: (error: unknown) => !String((error as { message?: unknown } | undefined)?.message).includes('while "onUserConsoleLog" was pending'),
      projects: [
        {
          resolve: { alias: runtimeAlias("./src/runtime/index.node.ts") },
          test: { name: "unit", environment: "node", include: ["test/**/*.unit.test.ts"] },
        },
        {
          resolve: { alias: runtimeAlias("./src/runtime/index.ts") },
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: { TEST_MIGRATIONS: migrations, ...tokens },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/**/*.int.test.ts"],
            exclude: ["test/runtime-int/**"],
            setupFiles: ["test/support/apply-migrations.ts"],
            testTimeout: 30_000,
          },
        },
        // The runtime's own integration tests: the same workerd, driving the small fixture
        // application in test/fixture rather than the example, so they hold without src/app.
        {
          resolve: { alias: runtimeAlias("./src/runtime/index.ts") },
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./test/fixture/wrangler.toml" },
              miniflare: { bindings: { TEST_MIGRATIONS: fixtureMigrations, ...tokens } },
            }),
          ],
          test: {
            name: "runtime",
            include: ["test/runtime-int/**/*.int.test.ts"],
            setupFiles: ["test/support/apply-migrations.ts"],
            testTimeout: 30_000,
          },
        },
        {
          test: {
            name: "e2e",
            environment: "node",
            include: ["test/**/*.e2e.test.ts"],
            testTimeout: 120_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});
