import { z } from "zod";

/** A projection, process manager or publisher as far as its bindings go: its queue and its D1 binding. */
export interface SubscriberShape {
  readonly name: string;
  readonly queue: { readonly name: string; readonly binding: string; readonly deadLetterQueue?: string | undefined };
  readonly database: string;
}

/**
 * What of an application decides the bindings it needs. Every application `createRuntime` takes
 * has this shape, so the runtime passes its own and the command-line tool the one it loaded.
 */
export interface ApplicationShape {
  readonly aggregates: readonly { readonly name: string }[];
  readonly projections?: readonly SubscriberShape[] | undefined;
  readonly processManagers?: readonly (SubscriberShape & { readonly stateful?: boolean | undefined })[] | undefined;
  /** Each sends its CloudEvents through the producer binding `integrationQueue`. */
  readonly publishers?: readonly (SubscriberShape & { readonly integrationQueue: string })[] | undefined;
  readonly bindings?: { readonly aggregates?: string | undefined; readonly processManagers?: string | undefined; readonly metrics?: string | undefined } | undefined;
}

const NameSchema = z.string().min(1);
const SubscriberSchema = z.looseObject({
  name: NameSchema,
  queue: z.looseObject({ name: NameSchema, binding: NameSchema, deadLetterQueue: NameSchema.optional() }),
  database: NameSchema,
});

// Loose: an application object carries far more (handlers, schemas, queries) than its bindings.
const ApplicationSchema = z.looseObject({
  aggregates: z.array(z.looseObject({ name: NameSchema })).min(1),
  projections: z.array(SubscriberSchema).optional(),
  processManagers: z.array(SubscriberSchema.extend({ stateful: z.boolean().optional() })).optional(),
  publishers: z.array(SubscriberSchema.extend({ integrationQueue: NameSchema })).optional(),
  bindings: z.looseObject({ aggregates: NameSchema.optional(), processManagers: NameSchema.optional(), metrics: NameSchema.optional() }).optional(),
}) satisfies z.ZodType<ApplicationShape>;

/** A value that is not an application: `issues` names each wrong field, in words. */
export class InvalidApplicationError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`not an edge-cqrs application: ${issues.join("; ")}`);
    this.name = "InvalidApplicationError";
  }
}

/**
 * Reads an application of unknown origin (a module the command-line tool loaded) as far as its
 * bindings go, or throws {@link InvalidApplicationError} naming the fields that are wrong.
 */
export function parseApplication(value: unknown): ApplicationShape {
  const parsed = ApplicationSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidApplicationError(parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(the export)"}: ${i.message}`));
  }
  return parsed.data;
}
