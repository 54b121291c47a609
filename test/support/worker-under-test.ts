import type { D1Migration } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { AggregateObjectInstance } from "../../src/runtime/aggregate-object";

/**
 * What the runtime's test support needs of the Worker a test project runs, whichever application
 * that is (the fixture in the `runtime` project, the example in `workers`): the runtime's default
 * binding names, plus the migrations vitest.config.mts binds. Typed from the runtime itself, not
 * from the repository's generated `Env`, which is the example's: the support must hold without it.
 */
export interface RuntimeTestBindings {
  readonly AGGREGATES: DurableObjectNamespace<AggregateObjectInstance>;
  readonly READ_DB: D1Database;
  readonly TEST_MIGRATIONS: D1Migration[];
}

/** The bindings of the Worker under test. */
export const bindings = env as unknown as RuntimeTestBindings;

/** The Worker under test's own entry (`exports.default`): a request goes through its real fetch handler. */
export const workerUnderTest = (exports as unknown as { default: Pick<Fetcher, "fetch"> }).default;
