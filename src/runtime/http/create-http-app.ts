import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { mountAdminRoutes } from "../admin";
import type { AnyAggregate } from "../aggregate";
import { mountInspector } from "../inspector";
import type { ProcessManager } from "../process-manager";
import type { Projection } from "../projection";
import { bearerAuth } from "./bearer-auth";
import { mountCommandRoutes } from "./command-routes";
import type { QueryRoute } from "./define-query";
import { errorResponse, notFoundResponse } from "./error-handler";
import { isLiveStreamUpgrade, mountStreamRoutes } from "./stream-routes";
import { validationHook } from "./validation-hook";

export interface HttpAppOptions<E extends object> {
  readonly title: string;
  readonly version: string;
  readonly aggregates: ReadonlyMap<string, AnyAggregate>;
  readonly queries: readonly QueryRoute[];
  readonly subscribers: readonly (Projection | ProcessManager)[];
}

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["operations"],
  summary: "Liveness (no token needed)",
  responses: { 200: { description: "The Worker answers", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } } },
});

/** The hono app: commands, streams, the application's queries, health and the OpenAPI document. */
export function createHttpApp<E extends object>(options: HttpAppOptions<E>): OpenAPIHono<{ Bindings: E }> {
  const app = new OpenAPIHono<{ Bindings: E }>({ defaultHook: (result) => validationHook(result as Parameters<typeof validationHook>[0]) });
  app.onError(errorResponse);
  app.notFound(notFoundResponse);

  app.openapi(healthRoute, (c) => c.json({ status: "ok" as const }, 200));
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: options.title, version: options.version, description: "Generated from the zod schemas of the commands, events and queries." },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });

  const open = app as unknown as OpenAPIHono<{ Bindings: object }>;
  app.use("/commands/*", bearerAuth({ binding: "API_TOKEN" }));
  app.use("/streams/*", bearerAuth({ binding: "ADMIN_TOKEN", acceptsQueryToken: isLiveStreamUpgrade }));
  app.use("/admin/*", bearerAuth({ binding: "ADMIN_TOKEN" }));
  for (const query of options.queries) app.use(honoPath(query.path), bearerAuth({ binding: "API_TOKEN" }));

  mountCommandRoutes(open, options.aggregates);
  mountStreamRoutes(open, options.aggregates);
  mountAdminRoutes(open, options.subscribers);
  mountInspector(open, [...options.aggregates.keys()]);
  for (const query of options.queries) query.mount(open);
  return app;
}

/** `/orders/{id}` in OpenAPI style becomes `/orders/:id` for hono's router. */
function honoPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ":$1");
}
