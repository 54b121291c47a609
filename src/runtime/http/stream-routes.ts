import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { MAX_STREAM_PAGE, type AggregateClient } from "../aggregate-client/index.js";
import type { AnyAggregate } from "../aggregate/index.js";
import { EventEnvelopeSchema } from "../envelope/index.js";
import { LIVE_AGGREGATE_PARAM, LIVE_FROM_PARAM, LIVE_ID_PARAM } from "../aggregate-protocol/index.js";
import { errorResponses, HttpError, issuesOf } from "../errors/index.js";
import { AGGREGATE_ID_PATTERN } from "../ids/index.js";

/** Default page of `GET /streams/...` (docs/http-api.md). */
export const DEFAULT_STREAM_PAGE = 100;

const StreamQuerySchema = z.object({
  from: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(MAX_STREAM_PAGE).default(DEFAULT_STREAM_PAGE),
  asOf: z.coerce.number().int().min(1).optional().describe("Also return the aggregate's state folded up to this version."),
});

const StreamPageSchema = z
  .object({
    streamId: z.string(),
    version: z.number().int(),
    events: z.array(EventEnvelopeSchema.meta({ id: "EventEnvelope" })),
    state: z.object({ version: z.number().int(), value: z.unknown() }).optional(),
  })
  .meta({ id: "StreamPage" });

const route = createRoute({
  method: "get",
  path: "/streams/{aggregate}/{id}",
  tags: ["admin"],
  summary: "Read a stream's events in order (admin)",
  security: [{ bearer: [] }],
  request: { params: z.object({ aggregate: z.string(), id: z.string() }), query: StreamQuerySchema },
  responses: {
    200: { description: "The stream's events", content: { "application/json": { schema: StreamPageSchema } } },
    ...errorResponses([400, 401, 404]),
  },
});

const LiveQuerySchema = z.object({
  from: z.coerce.number().int().min(0).default(0).describe("Send the stored events after this version first"),
  access_token: z.string().optional().describe("The admin token, for browsers (they cannot set headers on a WebSocket)"),
});

const LIVE_STREAM_PATH = /^\/streams\/[^/]+\/[^/]+\/live$/;

/**
 * Whether a request is a live-stream WebSocket upgrade (`GET <basePath>/streams/:aggregate/:id/live`
 * with `Upgrade: websocket`): the one route that takes its token as `?access_token=`, because
 * browsers cannot set headers on a WebSocket.
 */
export function isLiveStreamUpgrade(request: Request, basePath = ""): boolean {
  const path = new URL(request.url).pathname;
  return (
    request.method === "GET" &&
    request.headers.get("Upgrade")?.toLowerCase() === "websocket" &&
    path.startsWith(`${basePath}/streams/`) &&
    LIVE_STREAM_PATH.test(path.slice(basePath.length))
  );
}

/** `GET /streams/:aggregate/:id?from&limit&asOf`, the admin view of one stream, and its live feed. */
export function mountStreamRoutes(
  app: OpenAPIHono<{ Bindings: object }>,
  aggregates: ReadonlyMap<string, AnyAggregate>,
  clientOf: (env: object) => AggregateClient,
): void {
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/streams/{aggregate}/{id}/live",
    tags: ["admin"],
    summary: "WebSocket: the stored events after ?from=, then each new one, one envelope per message (admin)",
    security: [{ bearer: [] }],
    request: { params: z.object({ aggregate: z.string(), id: z.string() }), query: LiveQuerySchema },
    responses: { 101: { description: "Switching to WebSocket" }, ...errorResponses([400, 401, 404, 426]) },
  });

  app.get("/streams/:aggregate/:id/live", async (c) => {
    const { aggregate, id } = c.req.param();
    if (!aggregates.has(aggregate)) throw new HttpError(404, "unknown_aggregate", `no aggregate named ${aggregate}`);
    if (!AGGREGATE_ID_PATTERN.test(id)) throw new HttpError(400, "invalid_id", "id must be 1-128 characters of [A-Za-z0-9._~-]");
    const query = LiveQuerySchema.safeParse(c.req.query());
    if (!query.success) throw new HttpError(400, "invalid_query", "the query parameters are invalid", { issues: issuesOf(query.error) });
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw new HttpError(426, "upgrade_required", "connect with a WebSocket client (Upgrade: websocket)", {}, { Upgrade: "websocket" });
    }
    const url = new URL("https://aggregate-object/live");
    url.searchParams.set(LIVE_AGGREGATE_PARAM, aggregate);
    url.searchParams.set(LIVE_ID_PARAM, id);
    url.searchParams.set(LIVE_FROM_PARAM, String(query.data.from));
    return clientOf(c.env).stub(aggregate, id).fetch(new Request(url, { headers: { Upgrade: "websocket" } }));
  });

  app.openapi(route, async (c) => {
    const { aggregate, id } = c.req.valid("param");
    const { from, limit, asOf } = c.req.valid("query");
    if (!aggregates.has(aggregate)) throw new HttpError(404, "unknown_aggregate", `no aggregate named ${aggregate}`);
    if (!AGGREGATE_ID_PATTERN.test(id)) throw new HttpError(400, "invalid_id", "id must be 1-128 characters of [A-Za-z0-9._~-]");
    const page = await clientOf(c.env).readStream({ aggregate, id, from, limit, ...(asOf !== undefined && { asOf }) });
    if (!page) throw new HttpError(404, "not_found", `stream ${aggregate}/${id} has no events`);
    return c.json({ ...page, events: [...page.events] }, 200);
  });
}
