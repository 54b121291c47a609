import { applyD1Migrations } from "cloudflare:test";
import { migrateRuntimeTables } from "../../src/runtime/runtime-tables";
import { bindings } from "./worker-under-test";

// Storage is isolated per test file, so every file starts from an empty, fully migrated D1: the
// application's migrations (the fixture's or the example's, as vitest.config.mts binds them), and
// the runtime's own tables (which would otherwise appear on first use, and some tests read them
// before that).
await applyD1Migrations(bindings.READ_DB, bindings.TEST_MIGRATIONS);
await migrateRuntimeTables(bindings.READ_DB);
