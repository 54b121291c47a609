import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { DEFAULT_CONSISTENCY_WAIT_MS, MAX_CONSISTENCY_WAIT_MS, parseConsistencyTokens } from "../consistency/index.js";
import { errorResponses, HttpError } from "../errors/index.js";
import type { Projection } from "../projection/index.js";
import { runtimeContextIn } from "./runtime-context-variable.js";

/** Query parameters every query accepts, for reading one's own writes (docs/http-api.md, "Consistency tokens"). */
export const ConsistencyQuerySchema = z.object({
  consistentWith: z.string().optional().describe("Consistency token(s) from command responses, comma-separated."),
  wait: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_CONSISTENCY_WAIT_MS)
    .default(DEFAULT_CONSISTENCY_WAIT_MS)
    .describe("How long to wait for the read model to reach the token, in ms."),
});

/** What a query handler receives: validated params and query, the env, and the read database. */
export interface QueryInput<P, Q, E> {
  readonly params: P;
  readonly query: Q;
  readonly env: E;
  readonly db: D1Database;
}

export interface QueryConfig<P extends z.ZodObject, Q extends z.ZodObject, R extends z.ZodType, E> {
  /** OpenAPI-style path, e.g. `/orders/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly params: P;
  readonly query: Q;
  readonly response: R;
  /** The read models the query reads: a consistency token waits for each of them. */
  readonly projections: readonly [Projection, ...Projection[]];
  /** The view, or null for a 404 `not_found`. Throw an `HttpError` for anything else. */
  handle(input: QueryInput<z.output<P>, z.output<Q>, E>): Promise<z.input<R> | null>;
}

/** A query route ready to mount. Its env type is erased: only its own handler needs it. */
export interface QueryRoute {
  readonly path: string;
  mount(app: OpenAPIHono<{ Bindings: object }>): void;
}

/**
 * Defines a read-side route. The runtime validates params and query with the zod schemas, waits
 * for `?consistentWith=` (or `X-Consistency-Token`) before calling `handle`, documents the route
 * in OpenAPI, and guards it with `API_TOKEN`.
 *
 * @example
 * defineQuery({ path: "/orders/{id}", summary: "Order details", params: z.object({ id: OrderId }),
 *   query: z.object({}), response: OrderView, projections: [orderDetails],
 *   handle: ({ params, db }) => loadOrder(db, params.id) });
 */
export function defineQuery<P extends z.ZodObject, Q extends z.ZodObject, R extends z.ZodType, E extends object>(
  config: QueryConfig<P, Q, R, E>,
): QueryRoute {
  const [primary] = config.projections;
  const route = createRoute({
    method: "get",
    path: config.path,
    tags: ["queries"],
    summary: config.summary,
    security: [{ bearer: [] }],
    request: { params: config.params, query: config.query.extend(ConsistencyQuerySchema.shape) },
    responses: {
      200: { description: config.summary, content: { "application/json": { schema: config.response } } },
      ...errorResponses([400, 401, 404, 412, 503]),
    },
  });
  return {
    path: config.path,
    mount(app) {
      app.openapi(route, async (c) => {
        // The route's input types are generic here; the schemas above already validated both parts.
        const valid = c.req.valid.bind(c.req) as (target: "query" | "param") => unknown;
        const { consistentWith, wait, ...query } = valid("query") as z.output<Q> & z.output<typeof ConsistencyQuerySchema>;
        const databaseOf = (projection: { database: string }): D1Database => {
          const db = (c.env as Record<string, unknown>)[projection.database] as D1Database | undefined;
          if (!db) throw new Error(`D1 binding ${projection.database} is missing from wrangler.toml`);
          return db;
        };
        const token = consistentWith ?? c.req.header("X-Consistency-Token");
        if (token !== undefined && token.trim() !== "") {
          const context = runtimeContextIn(c);
          // Checkpoints are runtime tables, which create themselves on first use.
          await Promise.all(config.projections.map((p) => context.tables.database(c.env, p.database, p.name)));
          await context.consistency.wait({ databaseOf, projections: config.projections, positions: parseConsistencyTokens(token), waitMs: wait });
        }
        const db = databaseOf(primary);
        const view = await config.handle({ params: valid("param") as z.output<P>, query: query as z.output<Q>, env: c.env as E, db });
        if (view === null) throw new HttpError(404, "not_found", `nothing at ${c.req.path}`);
        return c.json(view as never, 200);
      });
    },
  };
}
