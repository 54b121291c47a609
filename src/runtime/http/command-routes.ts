import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import type { AggregateClient } from "../aggregate-client/index.js";
import type { CommandRequest } from "../aggregate-protocol/index.js";
import { internalCommandMessage, type AnyAggregate } from "../aggregate/index.js";
import { errorResponses, HttpError } from "../errors/index.js";
import { AGGREGATE_ID_PATTERN, COMMAND_ID_PATTERN, isRuntimeCommandId, newId, RUNTIME_COMMAND_ID_PREFIX } from "../ids/index.js";
import { continueTrace, reportEdgeRefusal, TRACEPARENT } from "../observability/index.js";
import { ownEntry } from "../own-entry/index.js";
import type { RuntimeContext } from "../runtime-context/index.js";
import { parseEventMetadataHeader } from "./event-metadata-header.js";
import { limitBody, readJsonBody } from "./json-body.js";
import type { RuntimeVariables } from "./require-actor.js";

/** The success body of a command (docs/http-api.md). */
export const CommandSuccessSchema = z
  .object({
    streamId: z.string(),
    version: z.number().int(),
    events: z.array(z.object({ eventId: z.string(), type: z.string(), version: z.number().int() })),
    token: z.string().describe("Consistency token: pass it to a query as ?consistentWith= to read your own write."),
  })
  .meta({ id: "CommandSuccess" });

const IfMatchPattern = /^(?:W\/)?"?(0|[1-9][0-9]{0,14})"?$/;

/** What the command routes serve. */
export interface CommandRoutesOptions {
  readonly aggregates: ReadonlyMap<string, AnyAggregate>;
  /** Reaches the aggregates' Durable Objects through the application's namespace binding. */
  clientOf(env: object): AggregateClient;
  /** Where an edge refusal's metrics and log line go. */
  readonly context: RuntimeContext;
}

/**
 * `POST /commands/:aggregate/:id/:command`: one generic route serves every aggregate, and each
 * command is also registered in the OpenAPI document with its own zod payload schema. An internal
 * command (`internalCommands`) is refused here, `403 internal_command`, and not documented.
 */
export function mountCommandRoutes(app: OpenAPIHono<{ Bindings: object; Variables: RuntimeVariables }>, options: CommandRoutesOptions): void {
  const { aggregates, clientOf, context } = options;
  for (const aggregate of aggregates.values()) registerCommandDocs(app, aggregate);

  app.post("/commands/:aggregate/:id/:command", limitBody(), async (c) => {
    // First, so that every answer, refusals included, names the trace to search the logs for.
    const trace = continueTrace(c.req.header(TRACEPARENT));
    c.header(TRACEPARENT, trace.traceparent);
    const route = c.req.param();
    let request: CommandRequest;
    try {
      request = await commandRequestOf(c, route, aggregates, trace.traceparent);
    } catch (error) {
      // Refused before it reached its aggregate, which writes every other command's line: written here instead.
      if (error instanceof HttpError) {
        const { aggregate, id, command } = route;
        const known = ownEntry(aggregates.get(aggregate)?.commands ?? {}, command) !== undefined;
        const refusal = { aggregate, id, command, known, status: error.status, error: error.code, message: error.message };
        reportEdgeRefusal(context.metrics.of(c.env), refusal, trace, context.logSampleRate);
      }
      throw error;
    }

    const outcome = await clientOf(c.env).execute(request);
    // The object answers failures as values (RPC keeps only an error's message); here they become
    // the one kind of error every route throws.
    if (!outcome.ok) throw HttpError.fromBody(outcome.status, outcome.body);
    c.header("X-Consistency-Token", outcome.body.token);
    c.header("ETag", `"${outcome.body.version}"`);
    if (outcome.replayed) c.header("Idempotent-Replayed", "true");
    return c.json(outcome.body, 200);
  });
}

/** The command a request asks for, validated at the edge; refusals are thrown as `HttpError`. */
async function commandRequestOf(
  c: Context<{ Bindings: object; Variables: RuntimeVariables }>,
  route: { readonly aggregate: string; readonly id: string; readonly command: string },
  aggregates: ReadonlyMap<string, AnyAggregate>,
  traceparent: string,
): Promise<CommandRequest> {
  const { aggregate: name, id, command } = route;
  const aggregate = aggregates.get(name);
  if (!aggregate) throw new HttpError(404, "unknown_aggregate", `no aggregate named ${name}`);
  if (!ownEntry(aggregate.commands, command)) throw new HttpError(404, "unknown_command", `aggregate ${name} has no command ${command}`);
  // Whoever asks: no token unlocks it, so the answer is a refusal, not a request for credentials.
  if (aggregate.isInternal(command)) throw new HttpError(403, "internal_command", internalCommandMessage(name, command));
  if (!AGGREGATE_ID_PATTERN.test(id)) throw new HttpError(400, "invalid_id", `id must be 1-128 characters of [A-Za-z0-9._~-]`);
  const commandId = idempotencyKey(c.req.header("Idempotency-Key")) ?? newId();
  const correlationId = optionalHeader(c.req.header("X-Correlation-Id"), "X-Correlation-Id");
  const expectedVersion = parseIfMatch(c.req.header("If-Match"));
  const metadata = parseEventMetadataHeader(c.req.header("X-Event-Metadata"));
  const payload = await readJsonBody(c);
  return {
    aggregate: name,
    id,
    command,
    payload,
    commandId,
    ...(correlationId !== undefined && { correlationId }),
    ...(expectedVersion !== undefined && { expectedVersion }),
    ...(metadata !== undefined && { metadata }),
    actor: c.get("actor"),
    traceparent,
  };
}

function optionalHeader(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!COMMAND_ID_PATTERN.test(value)) throw new HttpError(400, "invalid_header", `${name} must be 1-200 printable ASCII characters`);
  return value;
}

/**
 * The client's command id. Ids under {@link RUNTIME_COMMAND_ID_PREFIX} belong to commands the
 * runtime sends itself (process managers): a client holding one first would turn the runtime's
 * command into an `idempotency_key_reuse` and block it for good.
 */
function idempotencyKey(value: string | undefined): string | undefined {
  const key = optionalHeader(value, "Idempotency-Key");
  if (key !== undefined && isRuntimeCommandId(key)) {
    throw new HttpError(400, "invalid_header", `Idempotency-Key may not start with "${RUNTIME_COMMAND_ID_PREFIX}": the runtime reserves those ids for its own commands`, {
      reservedPrefix: RUNTIME_COMMAND_ID_PREFIX,
    });
  }
  return key;
}

/** `If-Match: "3"` (quotes optional, weak tags tolerated); `"0"` means the stream must not exist yet. */
function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = IfMatchPattern.exec(value.trim());
  if (!match) throw new HttpError(400, "invalid_header", 'If-Match must be a stream version such as "3"');
  return Number(match[1]);
}

function registerCommandDocs(app: OpenAPIHono<{ Bindings: object; Variables: RuntimeVariables }>, aggregate: AnyAggregate): void {
  for (const [command, schema] of Object.entries(aggregate.commands)) {
    // An internal command has no route a client could call, so the document does not show one.
    if (aggregate.isInternal(command)) continue;
    app.openAPIRegistry.registerPath({
      method: "post",
      path: `/commands/${aggregate.name}/{id}/${command}`,
      tags: [`${aggregate.name} commands`],
      summary: `${aggregate.name}: ${command}`,
      security: [{ bearer: [] }],
      request: {
        params: z.object({ id: z.string().regex(AGGREGATE_ID_PATTERN) }),
        headers: z.object({
          "idempotency-key": z
            .string()
            .optional()
            .describe(`The command id (1-200 printable ASCII, not starting with "${RUNTIME_COMMAND_ID_PREFIX}"); a retry with the same key and payload returns the first answer.`),
          "if-match": z.string().optional().describe('Expected stream version, e.g. "3"; "0" means the stream must not exist yet.'),
          "x-correlation-id": z.string().optional(),
          traceparent: z
            .string()
            .optional()
            .describe("W3C trace context (00-<trace-id>-<parent-id>-<flags>): the command and its events join this trace. Absent or malformed: a new trace is started. The answer's traceparent header names the command's span."),
          "x-event-metadata": z.string().optional().describe('JSON object of string fields copied onto every event\'s metadata, e.g. {"tenant":"acme"}; names the runtime owns (eventId, commandId, …) are refused.'),
        }),
        body: { required: true, content: { "application/json": { schema } } },
      },
      responses: {
        200: {
          description: "Events appended",
          headers: { traceparent: { description: "The command's W3C traceparent: search the logs for its trace id.", schema: { type: "string" } } },
          content: { "application/json": { schema: CommandSuccessSchema } },
        },
        ...errorResponses([400, 401, 404, 409, 413, 422]),
      },
    });
  }
}
