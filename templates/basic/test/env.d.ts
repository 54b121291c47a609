declare namespace Cloudflare {
  interface Env {
    /** The D1 migrations vitest.config.mts reads and test/apply-migrations.ts applies. */
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
