import { z } from "zod";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { preconditionsOf, type AnyAggregate } from "../aggregate/index.js";
import { AggregateClient } from "../aggregate-client/index.js";
import { createAggregateObjectClass, type AggregateObjectClass } from "../aggregate-object/index.js";
import { bearerTokens, type Authentication } from "../auth/index.js";
import type { StatefulProcessManager } from "../process-manager/index.js";
import { createProcessManagerObjectClass, ProcessManagerClient, type ProcessManagerObjectClass } from "../process-manager-object/index.js";
import { HttpError } from "../errors/index.js";
import { writeLog } from "../observability/index.js";
import { createHttpApp, type RuntimeVariables } from "../http/index.js";
import { DEFAULT_AGGREGATES_BINDING, DEFAULT_PROCESS_MANAGERS_BINDING, manifestOf } from "../manifest/index.js";
import type { OutboxRoute } from "../outbox/index.js";
import type { Projection } from "../projection/index.js";
import { createQueueHandler, ProcessManagerConsumer, ProjectionConsumer, PublisherConsumer } from "../projector/index.js";
import { assertDistinctCloudEvents } from "../publisher/index.js";
import { rebuildQueueWork } from "../rebuild/index.js";
import { RuntimeContext } from "../runtime-context/index.js";
import { createScheduledHandler, STREAM_CATALOG_ROUTE, StreamCatalogConsumer } from "../stream-catalog/index.js";
import type { AnyApplication, Application } from "./application.js";
import { locationOf, missingBindings } from "./assert-bindings.js";
import { RUNTIME_CONTEXT, type RuntimeWithContext } from "./runtime-context-of.js";

/** How the runtime serves an application; every option has a default. */
export interface RuntimeOptions<E extends object> {
  /**
   * Who may call what. Default: bearer tokens from the `API_TOKEN` (commands, queries) and
   * `ADMIN_TOKEN` (`/streams`, `/admin`) secrets. Supply your own to use your identity provider:
   * the actor it returns reaches `decide` and is recorded on the events.
   */
  readonly auth?: Authentication<E>;
  /** Serve every route under this prefix, e.g. `/cqrs`. Default: the root. */
  readonly basePath?: string;
  /** The runtime's own log lines (docs/operations.md, "Logs, traces and metrics"). */
  readonly logs?: LogOptions;
}

/** What the runtime writes to the Worker's log. */
export interface LogOptions {
  /**
   * Share of traces, 0 to 1, whose info lines (`command`, `projector.batch`) are written. Default 1:
   * every one. Decided by trace id, so a kept trace keeps its command line and the batch lines
   * that applied its events. Warnings and errors are always written, and metrics always count
   * every command and batch. Lower it when a line per command costs more than it tells (Workers
   * Logs bills by line past its allowance).
   */
  readonly sampleRate?: number;
}

const LogOptionsSchema = z.object({ sampleRate: z.number().min(0).max(1).optional() }).strict();

/** What a Worker exports for an application. */
export interface Runtime<E extends object> {
  /** The Durable Object class of every aggregate: export it under the class name wrangler.toml declares. */
  readonly AggregateObject: AggregateObjectClass<E>;
  /**
   * The Durable Object class of every stateful process-manager instance: export it under the class
   * name wrangler.toml declares (bound as `PROCESS_MANAGERS` unless `bindings.processManagers` says otherwise).
   */
  readonly ProcessManagerObject: ProcessManagerObjectClass<E>;
  /** The HTTP API as a hono app, to mount in an app of your own (`app.route("/", runtime.http)`). */
  readonly http: OpenAPIHono<{ Bindings: E; Variables: RuntimeVariables }>;
  fetch(request: Request, env: E, ctx: ExecutionContext): Promise<Response>;
  queue(batch: MessageBatch<unknown>, env: E, ctx?: ExecutionContext): Promise<void>;
  /**
   * The cron trigger's handler: sweeps every projection and process manager for streams left
   * behind (a lost message) and heals them through their own queue; starts the rebuild of a
   * projection that is new or whose version was bumped, and resumes a stalled rebuild.
   */
  scheduled(controller: ScheduledController, env: E, ctx?: ExecutionContext): Promise<void>;
}

// Routes that must answer even when a binding is missing: liveness and the API's description.
const UNGUARDED_PATHS = ["/health", "/openapi.json"];

/**
 * Composes an application into what a Worker exports: the aggregate Durable Object class and
 * the `fetch`, `queue` and `scheduled` handlers. Definitions are checked here, when the Worker loads; bindings
 * when it first handles a request, so a missing one is a clear 500 `misconfigured` naming the
 * block to add, never a command that answers 200 and then retries a send forever.
 *
 * @example
 * const runtime = createRuntime<Env>(application);
 * export class AggregateObject extends runtime.AggregateObject {}
 * export class ProcessManagerObject extends runtime.ProcessManagerObject {} // with stateful process managers
 * export default { fetch: runtime.fetch, queue: runtime.queue, scheduled: runtime.scheduled } satisfies ExportedHandler<Env>;
 */
export function createRuntime<E extends object>(application: Application<E>, options: RuntimeOptions<E> = {}): Runtime<E> {
  const app: AnyApplication = application;
  const logs = LogOptionsSchema.safeParse(options.logs ?? {});
  if (!logs.success) throw new Error(`createRuntime: options.logs is invalid: ${z.prettifyError(logs.error)}`);
  const context = new RuntimeContext({ metricsBinding: app.bindings?.metrics, logSampleRate: logs.data.sampleRate ?? 1 });
  const aggregates = new Map<string, AnyAggregate>();
  for (const aggregate of app.aggregates) {
    if (aggregates.has(aggregate.name)) throw new Error(`two aggregates are named ${aggregate.name}`);
    aggregates.set(aggregate.name, aggregate);
  }
  assertPreconditionsRegistered(aggregates);
  const subscribers = [...(app.projections ?? []), ...(app.processManagers ?? [])];
  assertTablesOwnedOnce(app.projections ?? []);
  const publishers = app.publishers ?? [];
  assertDistinctCloudEvents(publishers);
  const followers = [...subscribers, ...publishers];
  for (const s of followers) {
    const unknown = s.aggregates.filter((name) => !aggregates.has(name));
    if (unknown.length > 0) throw new Error(`${s.name} follows unregistered aggregates: ${unknown.join(", ")}`);
  }
  // The catalog lives in every read database, next to the checkpoints it is compared with; an
  // application with no read database has no one to read it, and so no catalog route.
  const catalogDatabases = [...new Set(followers.map((s) => s.database))];
  const catalogRoutes = catalogDatabases.length > 0 ? [STREAM_CATALOG_ROUTE] : [];
  const routes = new Map<string, OutboxRoute[]>(
    [...aggregates.keys()].map((name) => [
      name,
      [
        ...followers.filter((s) => s.aggregates.includes(name)).map((s) => ({ queue: s.queue.name, binding: s.queue.binding, database: s.database })),
        ...catalogRoutes,
      ],
    ]),
  );
  const aggregatesBinding = app.bindings?.aggregates ?? DEFAULT_AGGREGATES_BINDING;
  const basePath = normaliseBasePath(options.basePath);
  const clientOf = (env: object) => AggregateClient.fromEnv(env, aggregatesBinding);
  const statefulManagers = new Map<string, StatefulProcessManager>();
  for (const manager of app.processManagers ?? []) {
    if (manager.stateful) statefulManagers.set(manager.name, manager);
  }
  const processManagersBinding = app.bindings?.processManagers ?? DEFAULT_PROCESS_MANAGERS_BINDING;
  const instancesOf = (env: object) => ProcessManagerClient.fromEnv(env, processManagersBinding);
  // Bearer secrets are only required when the default authentication reads them.
  const manifest = manifestOf(app, options.auth ? { secrets: [] } : {});
  const http = createHttpApp<E>({
    title: app.title,
    version: app.version,
    aggregates,
    queries: app.queries ?? [],
    subscribers,
    auth: options.auth ?? bearerTokens<E>(),
    basePath,
    clientOf,
    instancesOf,
    context,
  });
  const projectionWork = rebuildQueueWork(context.rebuilds);
  const queue = createQueueHandler([
    ...(app.projections ?? []).map((projection) => new ProjectionConsumer({ projection, context, clientOf, work: projectionWork })),
    ...(app.processManagers ?? []).map((manager) => new ProcessManagerConsumer({ manager, context, clientOf, instancesOf })),
    ...publishers.map((publisher) => new PublisherConsumer({ publisher, context })),
    new StreamCatalogConsumer({ databases: catalogDatabases, context }),
  ]);
  const scheduled = createScheduledHandler({ subscribers, clientOf, context });
  const AggregateObject = createAggregateObjectClass<E>({ aggregates, routesFor: (name) => routes.get(name) ?? [], manifest, context, currentStates: clientOf });
  const ProcessManagerObject = createProcessManagerObjectClass<E>({ managers: statefulManagers, aggregatesBinding });

  const runtime: RuntimeWithContext<E> = {
    [RUNTIME_CONTEXT]: context,
    AggregateObject,
    ProcessManagerObject,
    http,
    async fetch(request, env, ctx) {
      const problems = context.envChecks.problems(env, (checked) => missingBindings(checked, manifest, locationOf(request.url)));
      if (problems.length > 0 && !UNGUARDED_PATHS.includes(new URL(request.url).pathname.slice(basePath.length))) {
        writeLog("error", { event: "config.incomplete", msg: `edge-cqrs configuration is incomplete:\n${problems.join("\n")}`, problems });
        const error = new HttpError(500, "misconfigured", `the Worker's configuration is incomplete: ${problems.join("; ")}`, { problems });
        return Response.json(error.toBody(), { status: 500 });
      }
      return http.fetch(request, env, ctx);
    },
    async queue(batch, env) {
      // Each consumer checks the bindings of what it consumes itself, so a Worker deployed for one
      // projector needs only that projector's bindings.
      await queue(batch, env);
    },
    async scheduled(controller, env) {
      await scheduled(controller, env);
    },
  };
  return runtime;
}

/** A precondition reads another aggregate's object: one the application does not serve has none to read. */
function assertPreconditionsRegistered(aggregates: ReadonlyMap<string, AnyAggregate>): void {
  for (const aggregate of aggregates.values()) {
    for (const command of Object.keys(aggregate.commands)) {
      for (const p of preconditionsOf(aggregate, command)) {
        if (aggregates.get(p.aggregate.name) !== p.aggregate) {
          throw new Error(`${aggregate.name}.${command} has a precondition on aggregate ${p.aggregate.name}, which the application does not register`);
        }
      }
    }
  }
}

/** A rebuild drops and replaces the tables its projection declares: two owners would lose each other's rows. */
function assertTablesOwnedOnce(projections: readonly Projection[]): void {
  const owner = new Map<string, string>();
  for (const p of projections) {
    for (const table of p.tables) {
      const key = `${p.database}:${table.toLowerCase()}`;
      const other = owner.get(key);
      if (other !== undefined) throw new Error(`projections ${other} and ${p.name} both declare table ${table}: a table belongs to one projection`);
      owner.set(key, p.name);
    }
  }
}

function normaliseBasePath(path: string | undefined): string {
  if (path === undefined || path === "" || path === "/") return "";
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(path)) throw new Error(`basePath "${path}" must look like /segment or /a/b`);
  return path;
}
