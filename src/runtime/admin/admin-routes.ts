import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { errorResponses, HttpError } from "../errors/index.js";
import { readFillingProgress, readRebuildStatus, rebuildQueue, startRebuild } from "../rebuild/index.js";
import type { RuntimeContext } from "../runtime-context/index.js";
import { readLag } from "../stream-catalog/index.js";
import type { ProcessManager } from "../process-manager/index.js";
import type { Projection } from "../projection/index.js";
import type { Subscription } from "../subscription/index.js";
import { MAX_REPLAY_PAGES_PER_REQUEST, MAX_REPLAY_SENDS_PER_REQUEST, replayDeadLetters } from "./dead-letter-replay.js";

type Subscriber = Projection | ProcessManager;

/** Largest page of dead letters one request lists. */
export const MAX_DEAD_LETTER_PAGE = 100;

const SubscriberStatusSchema = z.object({
  name: z.string(),
  kind: z.enum(["projection", "process-manager"]),
  queue: z.string(),
  deadLetterQueue: z.string().nullable(),
  streams: z.number().int().describe("Streams with a checkpoint"),
  deadLetters: z.number().int().describe("Messages parked in D1 by the dead-letter consumer"),
  outboxParked: z.number().int().describe("Events an aggregate's outbox gave up sending to this queue after its bounded attempts"),
  failingStreams: z.array(z.object({ streamId: z.string(), version: z.number().int(), error: z.string(), failedAt: z.string() })),
  lag: z
    .object({
      events: z.number().int().describe("Sum over the followed streams of the catalog's head version minus this subscriber's checkpoint"),
      streams: z.number().int().describe("Followed streams whose checkpoint is below their head"),
      oldestMs: z.number().int().describe("Age of the oldest head not yet applied; 0 when level"),
    })
    .describe("How far behind the stream catalog's heads this subscriber is, in events"),
  lastBatch: z
    .object({
      lastBatchAt: z.string(),
      lastLagMs: z.number().int().describe("Age of the last batch's oldest message when the batch was done"),
      messages: z.number().int().describe("Messages consumed so far"),
    })
    .nullable()
    .describe("null until the subscriber consumed its first batch"),
  version: z.number().int().nullable().describe("The view version the live tables hold (0: none recorded yet, or a new projection not backfilled yet); null for a process manager"),
  rebuild: z
    .discriminatedUnion("state", [
      z.object({ state: z.literal("idle") }),
      z.object({
        state: z.literal("rebuilding"),
        rebuildId: z.string(),
        done: z.number().int().describe("Streams rebuilt up to their target"),
        total: z.number().int().describe("Streams to rebuild: the catalog's streams of the followed aggregates, plus any queued since"),
        startedAt: z.string(),
      }),
      z.object({ state: z.literal("failed"), rebuildId: z.string(), reason: z.string(), failedAt: z.string() }),
    ])
    .describe("The projection's rebuild; always idle for a process manager"),
  filling: z
    .object({
      streams: z.number().int().describe("Streams of the followed aggregates whose history the view holds"),
      total: z.number().int().describe("Streams of the followed aggregates in the stream catalog"),
    })
    .nullable()
    .describe("While a projection was never built (version 0, no rebuild running): how far its view has filled; null otherwise"),
  condition: z
    .enum(["live", "filling", "rebuilding", "failing"])
    .describe(
      "failing: a stream failing, dead letters or parked outbox events, or a failed rebuild, waiting for an operator; rebuilding: a rebuild runs; filling: a new projection whose view does not hold every stream yet; live: none of these (lag says how far behind it is)",
    ),
});

const DeadLetterSchema = z.object({
  messageId: z.string(),
  streamId: z.string().nullable(),
  version: z.number().int().nullable(),
  error: z.string().nullable().describe("The last error the subscriber met on this stream before the message was parked"),
  parkedAt: z.string(),
  body: z.unknown().describe("The parked message's body: JSON as it was received, the raw text when it is not JSON, null when it was not stored"),
  quarantined: z
    .object({ at: z.string(), reason: z.string() })
    .nullable()
    .describe("Set when the message can never be replayed as it is (or its body was not stored): replay passes over it"),
});

const NameParams = z.object({ name: z.string() });

const statusRoute = createRoute({
  method: "get",
  path: "/admin/projections",
  tags: ["admin"],
  summary: "Each projection and process manager: checkpoints, dead letters, failing streams",
  security: [{ bearer: [] }],
  responses: {
    200: { description: "Status", content: { "application/json": { schema: z.object({ projections: z.array(SubscriberStatusSchema) }) } } },
    ...errorResponses([401]),
  },
});

const deadLettersRoute = createRoute({
  method: "get",
  path: "/admin/projections/{name}/dead-letters",
  tags: ["admin"],
  summary: "Messages parked by a subscriber's dead-letter queue, oldest first",
  security: [{ bearer: [] }],
  request: { params: NameParams, query: z.object({ limit: z.coerce.number().int().min(1).max(MAX_DEAD_LETTER_PAGE).default(MAX_DEAD_LETTER_PAGE) }) },
  responses: {
    200: { description: "Dead letters", content: { "application/json": { schema: z.object({ deadLetters: z.array(DeadLetterSchema) }) } } },
    ...errorResponses([400, 401, 404]),
  },
});

const replayRoute = createRoute({
  method: "post",
  path: "/admin/projections/{name}/dead-letters/replay",
  tags: ["admin"],
  summary: "Send parked messages back to the subscriber's queue, oldest first, a bounded amount per request; checkpoints keep it exactly once",
  security: [{ bearer: [] }],
  request: { params: NameParams },
  responses: {
    202: {
      description: `Replayed: at most ${MAX_REPLAY_SENDS_PER_REQUEST} queue batches from ${MAX_REPLAY_PAGES_PER_REQUEST} pages per request; call again while \`remaining\` > 0`,
      content: {
        "application/json": {
          schema: z.object({
            replayed: z.number().int().describe("Messages sent back to the queue and removed from the dead letters"),
            quarantined: z.number().int().describe("Rows this request set aside because they can never be sent as they are"),
            remaining: z.number().int().describe("Rows still waiting to be replayed"),
          }),
        },
      },
    },
    ...errorResponses([401, 404]),
  },
});

const rebuildRoute = createRoute({
  method: "post",
  path: "/admin/projections/{name}/rebuild",
  tags: ["admin"],
  summary: "Rebuild a projection from the aggregates' full history into shadow tables, then switch them in; the live view keeps serving meanwhile",
  security: [{ bearer: [] }],
  request: { params: NameParams },
  responses: {
    202: {
      description: "Started: follow it in `GET /admin/projections` (`rebuild`)",
      content: { "application/json": { schema: z.object({ rebuildId: z.string() }) } },
    },
    ...errorResponses([401, 404, 409]),
  },
});

type DeadLetterRow = {
  message_id: string;
  stream_id: string | null;
  version: number | null;
  error: string | null;
  parked_at: string;
  body: string;
  quarantined_at: string | null;
  quarantine_reason: string | null;
};

/**
 * `/admin/projections…`: what operators need to see and fix on the read side. Replaying a dead
 * letter sends its envelope back to the subscriber's own queue, where the usual checkpoint rules
 * apply: an event already applied is skipped, a missing one is healed from its aggregate.
 */
export function mountAdminRoutes(app: OpenAPIHono<{ Bindings: object }>, subscribers: readonly Subscriber[], context: RuntimeContext): void {
  const database = (env: object, subscriber: Subscription): Promise<D1Database> => context.tables.database(env, subscriber.database, subscriber.name);
  const byName = new Map(subscribers.map((s) => [s.name, s]));
  const find = (name: string): Subscriber => {
    const subscriber = byName.get(name);
    if (!subscriber) throw new HttpError(404, "not_found", `no projection or process manager named ${name}`);
    return subscriber;
  };

  app.openapi(statusRoute, async (c) => {
    const now = Date.now();
    const projections = await Promise.all(subscribers.map(async (s) => status(s, await database(c.env, s), now)));
    return c.json({ projections }, 200);
  });

  app.openapi(rebuildRoute, async (c) => {
    const name = c.req.valid("param").name;
    const projection = byName.get(name);
    if (projection?.kind !== "projection") throw new HttpError(404, "not_found", `no projection named ${name}`);
    const producer = (c.env as Record<string, unknown>)[projection.queue.binding] as Queue | undefined;
    if (!producer) throw new Error(`queue producer binding ${projection.queue.binding} is missing from wrangler.toml`);
    const db = await database(c.env, projection);
    const rebuildId = await startRebuild(projection, db, rebuildQueue(producer), "requested");
    if (rebuildId === null) {
      const { rebuild } = await readRebuildStatus(db, projection);
      const running = rebuild.state === "rebuilding" ? { rebuildId: rebuild.rebuildId } : {};
      throw new HttpError(409, "rebuild_running", `a rebuild of ${name} is already running`, running);
    }
    return c.json({ rebuildId }, 202);
  });

  app.openapi(deadLettersRoute, async (c) => {
    const subscriber = find(c.req.valid("param").name);
    const rows = await parkedMessages(await database(c.env, subscriber), subscriber.name, c.req.valid("query").limit);
    return c.json(
      {
        deadLetters: rows.map((r) => ({
          messageId: r.message_id,
          streamId: r.stream_id,
          version: r.version,
          error: r.error,
          parkedAt: r.parked_at,
          body: listedBody(r.body),
          quarantined: r.quarantined_at === null ? null : { at: r.quarantined_at, reason: r.quarantine_reason ?? "" },
        })),
      },
      200,
    );
  });

  app.openapi(replayRoute, async (c) => {
    const subscriber = find(c.req.valid("param").name);
    const db = await database(c.env, subscriber);
    const queue = (c.env as Record<string, unknown>)[subscriber.queue.binding] as Queue | undefined;
    if (!queue) throw new Error(`queue producer binding ${subscriber.queue.binding} is missing from wrangler.toml`);
    return c.json(await replayDeadLetters(db, subscriber.name, queue), 202);
  });
}

type SubscriberStatus = z.infer<typeof SubscriberStatusSchema>;

async function status(subscriber: Subscriber, db: D1Database, now: number): Promise<SubscriberStatus> {
  const lagInEvents = readLag(db, subscriber.name, subscriber.aggregates, now);
  const rebuildStatus = subscriber.kind === "projection" ? readRebuildStatus(db, subscriber) : null;
  const [streams, parked, outboxParked, failing, stats] = await db.batch<Record<string, unknown>>([
    db.prepare("SELECT COUNT(*) AS n FROM projection_checkpoints WHERE projection = ?").bind(subscriber.name),
    db.prepare("SELECT COUNT(*) AS n FROM dead_letters WHERE projection = ?").bind(subscriber.name),
    db.prepare("SELECT COUNT(*) AS n FROM outbox_parked WHERE queue = ?").bind(subscriber.queue.name),
    // A recorded error whose stream has since moved past it is history, not a failing stream.
    db
      .prepare(
        `SELECT e.stream_id, e.version, e.error, e.failed_at FROM projection_errors e
         LEFT JOIN projection_checkpoints c ON c.projection = e.projection AND c.stream_id = e.stream_id
         WHERE e.projection = ? AND COALESCE(c.version, 0) < e.version ORDER BY e.failed_at DESC LIMIT 20`,
      )
      .bind(subscriber.name),
    db.prepare("SELECT last_batch_at, last_lag_ms, messages FROM projection_stats WHERE projection = ?").bind(subscriber.name),
  ]);
  const lastBatch = stats?.results[0];
  const { version, rebuild } = (await rebuildStatus) ?? { version: null, rebuild: { state: "idle" as const } };
  const filling = version === 0 && rebuild.state === "idle" ? await readFillingProgress(db, subscriber) : null;
  const counts = {
    streams: Number(streams?.results[0]?.n ?? 0),
    deadLetters: Number(parked?.results[0]?.n ?? 0),
    outboxParked: Number(outboxParked?.results[0]?.n ?? 0),
    failingStreams: (failing?.results ?? []).map((r) => ({
      streamId: String(r.stream_id),
      version: Number(r.version),
      error: String(r.error),
      failedAt: String(r.failed_at),
    })),
  };
  return {
    name: subscriber.name,
    kind: subscriber.kind,
    queue: subscriber.queue.name,
    deadLetterQueue: subscriber.queue.deadLetterQueue ?? null,
    ...counts,
    lag: await lagInEvents,
    lastBatch: lastBatch
      ? { lastBatchAt: String(lastBatch.last_batch_at), lastLagMs: Number(lastBatch.last_lag_ms), messages: Number(lastBatch.messages) }
      : null,
    version,
    rebuild,
    filling,
    condition: conditionOf({ ...counts, rebuild, filling }),
  };
}

/**
 * One word for what an operator needs to know first (the admin API, the inspector): trouble that
 * waits for them, then work under way, then whether the view is whole. A new projection filling
 * itself is not trouble: its live events or its backfill complete it.
 */
function conditionOf(s: Pick<SubscriberStatus, "deadLetters" | "outboxParked" | "failingStreams" | "rebuild" | "filling">): SubscriberStatus["condition"] {
  if (s.failingStreams.length > 0 || s.deadLetters > 0 || s.outboxParked > 0 || s.rebuild.state === "failed") return "failing";
  if (s.rebuild.state === "rebuilding") return "rebuilding";
  if (s.filling !== null && s.filling.streams < s.filling.total) return "filling";
  return "live";
}

function parkedMessages(db: D1Database, subscriber: string, limit: number): Promise<DeadLetterRow[]> {
  return db
    .prepare(
      `SELECT message_id, stream_id, version, error, parked_at, body, quarantined_at, quarantine_reason
       FROM dead_letters WHERE projection = ? ORDER BY parked_at, message_id LIMIT ?`,
    )
    .bind(subscriber, limit)
    .all<DeadLetterRow>()
    .then((r) => r.results);
}

/** A parked body as listed: its JSON, or the raw text when it is not JSON, or null when it was not stored. */
function listedBody(body: string): unknown {
  if (body === "") return null;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}
