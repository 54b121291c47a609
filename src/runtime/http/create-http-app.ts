import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { mountAdminRoutes, mountProcessManagerRoutes } from "../admin/index.js";
import type { AggregateClient } from "../aggregate-client/index.js";
import type { AnyAggregate } from "../aggregate/index.js";
import type { Authentication } from "../auth/index.js";
import { mountInspector } from "../inspector/index.js";
import type { ProcessManager } from "../process-manager/index.js";
import type { ProcessManagerClient } from "../process-manager-object/index.js";
import type { Projection } from "../projection/index.js";
import type { RuntimeContext } from "../runtime-context/index.js";
import { mountCommandRoutes } from "./command-routes.js";
import type { QueryRoute } from "./define-query.js";
import { errorResponse, notFoundResponse } from "./error-handler.js";
import { isLiveStreamUpgrade, mountStreamRoutes } from "./stream-routes.js";
import { requireActor, type RuntimeVariables } from "./require-actor.js";
import { provideRuntimeContext } from "./runtime-context-variable.js";
import { validationHook } from "./validation-hook.js";

export interface HttpAppOptions<E extends object> {
  readonly title: string;
  readonly version: string;
  readonly aggregates: ReadonlyMap<string, AnyAggregate>;
  readonly queries: readonly QueryRoute[];
  readonly subscribers: readonly (Projection | ProcessManager)[];
  /** Who may call what; the default is bearer tokens from API_TOKEN and ADMIN_TOKEN. */
  readonly auth: Authentication<E>;
  /** Every route lives under this prefix (`""` or `/something`). */
  readonly basePath: string;
  /** Reaches the aggregates' Durable Objects through the application's namespace binding. */
  clientOf(env: object): AggregateClient;
  /** Reaches stateful process-manager instances through the application's namespace binding. */
  instancesOf(env: object): ProcessManagerClient;
  /** The runtime's settings and memory: metrics, log sampling, consistency waits, the runtime tables. */
  readonly context: RuntimeContext;
}

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["operations"],
  summary: "Liveness (no token needed)",
  responses: { 200: { description: "The Worker answers", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } } },
});

/**
 * The hono app: commands, streams, the application's queries, admin, health and the OpenAPI
 * document, all under `basePath`. It is a plain hono app, so a user can also mount it inside their own.
 */
export function createHttpApp<E extends object>(options: HttpAppOptions<E>): OpenAPIHono<{ Bindings: E; Variables: RuntimeVariables }> {
  const root = new OpenAPIHono<{ Bindings: E; Variables: RuntimeVariables }>({
    defaultHook: (result) => validationHook(result as Parameters<typeof validationHook>[0]),
  });
  root.onError(errorResponse);
  root.notFound(notFoundResponse);
  const app = options.basePath === "" ? root : root.basePath(options.basePath);

  app.openapi(healthRoute, (c) => c.json({ status: "ok" as const }, 200));
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: options.title, version: options.version, description: "Generated from the zod schemas of the commands, events and queries." },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });

  const { api, admin } = options.auth;
  app.use("/commands/*", requireActor(api));
  app.use("/streams/*", requireActor(admin, { acceptsQueryToken: (request) => isLiveStreamUpgrade(request, options.basePath) }));
  app.use("/admin/*", requireActor(admin));
  for (const query of options.queries) {
    app.use(honoPath(query.path), requireActor(api));
    app.use(honoPath(query.path), provideRuntimeContext(options.context));
  }

  const withActor = app as unknown as OpenAPIHono<{ Bindings: object; Variables: RuntimeVariables }>;
  const open = app as unknown as OpenAPIHono<{ Bindings: object }>;
  mountCommandRoutes(withActor, { aggregates: options.aggregates, clientOf: options.clientOf, context: options.context });
  mountStreamRoutes(open, options.aggregates, options.clientOf);
  mountAdminRoutes(open, options.subscribers, options.context);
  mountProcessManagerRoutes(
    open,
    options.subscribers.filter((s) => s.kind === "process-manager"),
    options.instancesOf,
  );
  mountInspector(open, [...options.aggregates.keys()]);
  for (const query of options.queries) query.mount(open);
  return root;
}

/** `/orders/{id}` in OpenAPI style becomes `/orders/:id` for hono's router. */
function honoPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ":$1");
}
