import { z } from "zod";

/** The Durable Object namespace binding the runtime reaches the aggregates through, unless the application names another. */
export const DEFAULT_AGGREGATES_BINDING = "AGGREGATES";
/** The Durable Object namespace binding of stateful process-manager instances, unless the application names another. */
export const DEFAULT_PROCESS_MANAGERS_BINDING = "PROCESS_MANAGERS";

const NameSchema = z.string().min(1);

const QueueRefSchema = z.object({
  name: NameSchema,
  binding: NameSchema,
  deadLetterQueue: NameSchema.optional(),
});

const SubscriberSchema = z.looseObject({ name: NameSchema, queue: QueueRefSchema, database: NameSchema });
const ProcessManagerSchema = SubscriberSchema.extend({ stateful: z.boolean().optional() });
const PublisherSchema = SubscriberSchema.extend({ integrationQueue: NameSchema });

/**
 * What the command-line tool needs from an application object (`src/app/index.ts`'s `application`):
 * read structurally and loosely, so the tool accepts every application the runtime accepts.
 */
const ApplicationSchema = z.looseObject({
  aggregates: z.array(z.looseObject({ name: NameSchema })).min(1),
  projections: z.array(SubscriberSchema).optional(),
  processManagers: z.array(ProcessManagerSchema).optional(),
  publishers: z.array(PublisherSchema).optional(),
  bindings: z.looseObject({ aggregates: NameSchema.optional(), processManagers: NameSchema.optional(), metrics: NameSchema.optional() }).optional(),
});

/** A projection or process manager as the configuration must serve it: its queue and its D1 binding. */
export interface SubscriberDescriptor {
  readonly kind: "projection" | "process manager" | "publisher";
  readonly name: string;
  readonly queue: { readonly name: string; readonly binding: string; readonly deadLetterQueue?: string | undefined };
  readonly database: string;
}

/** Everything in an application that needs a binding in the wrangler configuration. */
export interface ApplicationDescriptor {
  readonly aggregates: readonly string[];
  /** The Durable Object namespace binding of every aggregate instance. */
  readonly aggregatesBinding: string;
  readonly subscribers: readonly SubscriberDescriptor[];
  /** Stateful process managers, whose instances live in their own Durable Object namespace. */
  readonly statefulManagers: readonly string[];
  /** The Durable Object namespace binding of their instances. */
  readonly processManagersBinding: string;
  /**
   * Producer bindings the application sends to that belong to no subscriber of its own (a
   * publisher's integration-events queue, consumed by another system): required, never stray.
   */
  readonly outgoingProducers: readonly string[];
  /** The Analytics Engine binding the runtime writes metrics to (`bindings.metrics`), when the application names one. */
  readonly metricsBinding?: string | undefined;
}

/** The application's shape did not match: `issues` says which field, in words. */
export class InvalidApplicationError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`not an edge-cqrs application: ${issues.join("; ")}`);
    this.name = "InvalidApplicationError";
  }
}

/** Reads what the configuration must provide from an application object, or throws InvalidApplicationError naming what is wrong. */
export function describeApplication(value: unknown): ApplicationDescriptor {
  const parsed = ApplicationSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidApplicationError(parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(the export)"}: ${i.message}`));
  }
  const app = parsed.data;
  const subscriber = (kind: SubscriberDescriptor["kind"]) => (s: z.infer<typeof SubscriberSchema>): SubscriberDescriptor => ({
    kind,
    name: s.name,
    queue: s.queue,
    database: s.database,
  });
  return {
    aggregates: app.aggregates.map((a) => a.name),
    aggregatesBinding: app.bindings?.aggregates ?? DEFAULT_AGGREGATES_BINDING,
    subscribers: [
      ...(app.projections ?? []).map(subscriber("projection")),
      ...(app.processManagers ?? []).map(subscriber("process manager")),
      ...(app.publishers ?? []).map(subscriber("publisher")),
    ],
    statefulManagers: (app.processManagers ?? []).filter((m) => m.stateful === true).map((m) => m.name),
    processManagersBinding: app.bindings?.processManagers ?? DEFAULT_PROCESS_MANAGERS_BINDING,
    outgoingProducers: [...new Set((app.publishers ?? []).map((p) => p.integrationQueue))],
    metricsBinding: app.bindings?.metrics,
  };
}
