import type { AnyAggregate } from "../aggregate/index.js";
import type { QueryRoute } from "../http/index.js";
import type { DEFAULT_AGGREGATES_BINDING } from "../manifest/index.js";
import type { ProcessManager } from "../process-manager/index.js";
import type { Projection } from "../projection/index.js";
import type { Publisher } from "../publisher/index.js";

/** The names of `E`'s bindings whose values have the shape `Kind`. */
export type BindingName<E, Kind> = { [K in keyof E]-?: E[K] extends Kind ? K : never }[keyof E] & string;

/** What a queue producer binding looks like (`Queue` in the generated Env). */
export type QueueBinding = { send(...args: never[]): unknown; sendBatch(...args: never[]): unknown };
/** What a D1 binding looks like (`D1Database`). */
export type D1Binding = { prepare(...args: never[]): unknown; batch(...args: never[]): unknown };
/** What a Durable Object namespace binding looks like (`DurableObjectNamespace`). */
export type DurableObjectBinding = { idFromName(name: string): unknown };
/** What a Workers Analytics Engine dataset binding looks like (`AnalyticsEngineDataset`). */
export type AnalyticsEngineBinding = { writeDataPoint(...args: never[]): unknown };

interface ApplicationDefinitions<E> {
  readonly title: string;
  readonly version: string;
  readonly aggregates: readonly AnyAggregate[];
  readonly projections?: readonly Projection<BindingName<E, QueueBinding>, BindingName<E, D1Binding>>[];
  readonly processManagers?: readonly ProcessManager<BindingName<E, QueueBinding>, BindingName<E, D1Binding>>[];
  /** Integration events out: each turns chosen internal events into CloudEvents on its integration queue. */
  readonly publishers?: readonly Publisher<BindingName<E, QueueBinding>, BindingName<E, D1Binding>, BindingName<E, QueueBinding>>[];
  readonly queries?: readonly QueryRoute[];
}

/**
 * Optional bindings: `processManagers` names the namespace of stateful process-manager instances
 * (default `PROCESS_MANAGERS`); `metrics` names a Workers Analytics Engine dataset (`[[analytics_engine_datasets]]`)
 * the runtime writes its metrics to (docs/operations.md, "Metrics"); without it none are written.
 */
interface OptionalBindings<E> {
  readonly processManagers?: BindingName<E, DurableObjectBinding>;
  readonly metrics?: BindingName<E, AnalyticsEngineBinding>;
}

/**
 * The bindings the application names outside its subscribers. `aggregates` may be left out only
 * when `Env` has an `AGGREGATES` Durable Object namespace, so a missing binding fails `tsc`.
 */
type ApplicationBindings<E> = typeof DEFAULT_AGGREGATES_BINDING extends BindingName<E, DurableObjectBinding>
  ? { readonly bindings?: { readonly aggregates?: BindingName<E, DurableObjectBinding> } & OptionalBindings<E> }
  : { readonly bindings: { readonly aggregates: BindingName<E, DurableObjectBinding> } & OptionalBindings<E> };

/**
 * An application as the runtime composes it: the domain exports one and nothing else. Typed
 * against the Worker's `Env` (from `wrangler types`): every queue, D1 and Durable Object binding a
 * definition names must exist in `Env` with the right kind, or `tsc` fails.
 *
 * @example
 * export const application: Application<Env> = {
 *   title: "library", version: "1.0.0",
 *   aggregates: [loan], projections: [loanDetails], queries: [loanDetailsQuery],
 * };
 */
export type Application<E extends object> = ApplicationDefinitions<E> & ApplicationBindings<E>;

/** Any application with its binding names as plain strings: what the runtime's machinery reads. */
export interface AnyApplication {
  readonly title: string;
  readonly version: string;
  readonly aggregates: readonly AnyAggregate[];
  readonly projections?: readonly Projection[];
  readonly processManagers?: readonly ProcessManager[];
  /** Integration events out: each turns chosen internal events into CloudEvents on its integration queue. */
  readonly publishers?: readonly Publisher[];
  readonly queries?: readonly QueryRoute[];
  readonly bindings?: { readonly aggregates?: string; readonly processManagers?: string; readonly metrics?: string };
}
