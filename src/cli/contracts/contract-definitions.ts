import { z } from "zod";
import type { AnyAggregate } from "../../runtime/aggregate/index.js";
import type { Publisher } from "../../runtime/publisher/index.js";
import { projectError } from "../cli-error.js";

/** What `contractSchemas` reads of an application: its aggregates' and publishers' definitions, whole. */
export interface ContractDefinitions {
  readonly aggregates: readonly AnyAggregate[];
  readonly publishers: readonly Publisher[];
}

// A zod schema of any zod instance: the application module is bundled with a zod of its own, so
// `instanceof` would fail where the shape holds (zod 4 keeps its internals on `_zod`).
const ZodSchema = z.custom<z.ZodType>((value) => typeof value === "object" && value !== null && "_zod" in value, "not a zod schema");
const Fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === "function", "not a function");

// Loose: a definition carries far more (decide, handlers) than its contracts.
const DefinitionsSchema = z.looseObject({
  aggregates: z.array(
    z.looseObject({
      name: z.string(),
      commands: z.record(z.string(), ZodSchema),
      events: z.record(z.string(), ZodSchema),
      schemaVersionOf: Fn,
    }),
  ),
  publishers: z.array(z.looseObject({ source: z.string(), publishes: z.array(z.looseObject({ type: z.string(), schema: ZodSchema })) })).optional(),
});

/**
 * The definitions behind an application export, checked as far as `contractSchemas` reads them:
 * aggregates made by `defineAggregate` and publishers made by `definePublisher`. A hand-made
 * object that only names its bindings (enough for `check`) is a project error naming the field.
 */
export function contractDefinitionsOf(exported: unknown, modulePath: string): ContractDefinitions {
  const parsed = DefinitionsSchema.safeParse(exported);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(the export)"}: ${i.message}`);
    throw projectError(`${modulePath}: its definitions have no contracts to read (made with defineAggregate and definePublisher?): ${issues.join("; ")}`);
  }
  // Checked above as far as contractSchemas reads them; the originals are passed, not zod's copies.
  const application = exported as { aggregates: readonly AnyAggregate[]; publishers?: readonly Publisher[] };
  return { aggregates: application.aggregates, publishers: application.publishers ?? [] };
}
