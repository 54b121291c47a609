import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// *.unit tests are pure and run in Node; *.int tests run inside workerd with real local Durable
// Objects, Queues and D1, configured from wrangler.toml.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    test: {
      // The runtime writes a JSON line per command and per projector batch: quiet by default, so a
      // test run shows only warnings, errors and failures. EDGE_CQRS_TEST_LOGS=1 npm test shows them all.
      onConsoleLog: (log: string) => process.env.EDGE_CQRS_TEST_LOGS === "1" || !log.startsWith('{"level":"info"'),
      projects: [
        { test: { name: "unit", environment: "node", include: ["test/**/*.unit.test.ts"] } },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: { bindings: { TEST_MIGRATIONS: migrations, API_TOKEN: "test-api-token", ADMIN_TOKEN: "test-admin-token" } },
            }),
          ],
          test: { name: "workers", include: ["test/**/*.int.test.ts"], setupFiles: ["test/apply-migrations.ts"], testTimeout: 30_000 },
        },
      ],
    },
  };
});
