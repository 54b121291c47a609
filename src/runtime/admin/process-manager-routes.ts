import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { errorResponses, HttpError } from "../errors/index.js";
import { AGGREGATE_ID_PATTERN } from "../ids/index.js";
import type { ProcessManager } from "../process-manager/index.js";
// Types only: the object's module imports `cloudflare:workers`, and the HTTP app also loads in Node.
import type { ProcessManagerClient } from "../process-manager-object/index.js";

const CommandSchema = z.object({
  commandId: z.string().describe("Deterministic, in the runtime's reserved namespace"),
  aggregate: z.string(),
  id: z.string(),
  command: z.string(),
  payload: z.unknown(),
});

const OutcomeSchemas = [
  z.object({ kind: z.literal("rejected"), commandId: z.string(), streamId: z.string(), command: z.string(), error: z.string(), reason: z.string().nullable() }),
  z.object({ kind: z.literal("accepted"), commandId: z.string(), streamId: z.string(), command: z.string(), version: z.number().int() }),
] as const;

const MessageSchema = z.union([
  z.object({ kind: z.literal("event"), type: z.string(), eventId: z.string(), streamId: z.string(), version: z.number().int() }),
  z.object({ kind: z.literal("timer"), id: z.string(), at: z.string() }),
  ...OutcomeSchemas,
]);

const Retries = { attempts: z.number().int(), nextAttemptAt: z.string(), lastError: z.string().nullable() };

const InstanceSchema = z.object({
  manager: z.string(),
  key: z.string(),
  state: z.unknown().describe("The instance's state, as its schema stores it"),
  messages: z.number().int().describe("Events, timers and outcomes decided on so far"),
  streams: z
    .array(z.object({ streamId: z.string(), version: z.number().int() }))
    .describe("Per followed stream, the highest version decided on: a redelivered or older event is passed over"),
  timers: z
    .array(z.object({ id: z.string(), at: z.string(), payload: z.unknown(), attempts: z.number().int(), lastError: z.string().nullable() }))
    .describe("Pending timers, earliest first; attempts counts firings whose decision failed"),
  outbox: z
    .array(CommandSchema.extend(Retries))
    .describe("Commands decided but not yet answered by their aggregate, in decision order"),
  rejected: z
    .array(CommandSchema.extend({ status: z.number().int(), error: z.string(), message: z.string(), reason: z.string().nullable(), rejectedAt: z.string() }))
    .describe("Commands their aggregate refused, newest first (the most recent ones: the instance keeps a bounded number)"),
  outcomes: z
    .array(z.union(OutcomeSchemas.map((schema) => schema.extend(Retries))))
    .describe("Outcomes of sent commands not yet decided on (a manager that asked for outcomes), in the order the commands were sent; attempts counts decisions that failed"),
  decisions: z
    .array(
      z.object({
        message: MessageSchema,
        commands: z.array(CommandSchema),
        timers: z.object({ set: z.array(z.object({ id: z.string(), at: z.string(), payload: z.unknown() })), cancel: z.array(z.string()) }),
        decidedAt: z.string(),
      }),
    )
    .describe("Recent decisions, newest first (the instance keeps a bounded number)"),
});

const instanceRoute = createRoute({
  method: "get",
  path: "/admin/process-managers/{name}/{key}",
  tags: ["admin"],
  summary: "One stateful process-manager instance: state, pending timers, outbox, rejected commands, recent decisions",
  security: [{ bearer: [] }],
  request: { params: z.object({ name: z.string(), key: z.string() }) },
  responses: {
    200: { description: "The instance", content: { "application/json": { schema: InstanceSchema } } },
    ...errorResponses([400, 401, 404]),
  },
});

/** `GET /admin/process-managers/:name/:key`: what one instance holds, read from its own Durable Object. */
export function mountProcessManagerRoutes(
  app: OpenAPIHono<{ Bindings: object }>,
  managers: readonly ProcessManager[],
  instancesOf: (env: object) => ProcessManagerClient,
): void {
  const stateful = new Map(managers.filter((m) => m.stateful).map((m) => [m.name, m]));
  app.openapi(instanceRoute, async (c) => {
    const { name, key } = c.req.valid("param");
    if (!stateful.has(name)) throw new HttpError(404, "not_found", `no stateful process manager named ${name}`);
    if (!AGGREGATE_ID_PATTERN.test(key)) throw new HttpError(400, "invalid_id", `instance key must match ${AGGREGATE_ID_PATTERN}`);
    const view = await instancesOf(c.env).inspect(name, key);
    if (!view) throw new HttpError(404, "not_found", `${name} has no instance ${key}: it has received no message`);
    return c.json(InstanceSchema.parse(view), 200);
  });
}
