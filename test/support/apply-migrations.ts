import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ensureRuntimeTables } from "../../src/runtime/runtime-tables";

// Storage is isolated per test file, so every file starts from an empty, fully migrated D1: the
// example's migrations, and the runtime's own tables (which would otherwise appear on first use,
// and some tests read them before that).
await applyD1Migrations(env.READ_DB, env.TEST_MIGRATIONS);
await ensureRuntimeTables(env.READ_DB);
