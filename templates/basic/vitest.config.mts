import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// *.unit tests are pure and run in Node; *.int tests run inside workerd with real local Durable
// Objects, Queues and D1, configured from wrangler.toml.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    test: {
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
