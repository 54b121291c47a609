// The bare pipeline edge-cqrs is measured against: the same routes and answers as the example's
// `place`, `add-item` and `GET /orders/:id`, with nothing but hand-written routing around them.
import { consume, DETAILS } from "./consumers";
import { errorAnswer, type Answer, type BaselineEnv, type OrderEnvelope } from "./env";
import { ID_PATTERN } from "./order-rules";
import { parseTokens } from "./token";

export { OrderObject } from "./order-object";

/** The same body limit and consistency-wait bounds as edge-cqrs. */
const MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_WAIT_MS = 2_000;
const MAX_WAIT_MS = 10_000;
/** The same checkpoint polling as edge-cqrs: 5 ms, doubling to 50 ms. */
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 50;

const COMMAND_PATH = /^\/commands\/order\/([^/]+)\/(place|add-item)$/;
const VIEW_PATH = /^\/orders\/([^/]+)$/;
const IF_MATCH = /^(?:W\/)?"?(0|[1-9][0-9]{0,14})"?$/;

export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return json({ status: 200, body: { status: "ok" } });
    const command = request.method === "POST" ? COMMAND_PATH.exec(url.pathname) : null;
    const view = request.method === "GET" ? VIEW_PATH.exec(url.pathname) : null;
    if (!command && !view) return json(errorAnswer(404, "not_found", `nothing at ${url.pathname}`));
    if (!(await authorised(request, env.API_TOKEN))) return json(errorAnswer(401, "unauthorized", "missing or wrong bearer token"));
    if (command) return runCommand(request, env, command[1]!, command[2] as "place" | "add-item");
    return readOrder(url, env, view![1]!);
  },
  async queue(batch, env): Promise<void> {
    await consume(batch, env);
  },
} satisfies ExportedHandler<BaselineEnv, OrderEnvelope>;

async function runCommand(request: Request, env: BaselineEnv, id: string, command: "place" | "add-item"): Promise<Response> {
  if (!ID_PATTERN.test(id)) return json(errorAnswer(400, "invalid_id", "id must be 1-128 characters of [A-Za-z0-9._~-]"));
  const ifMatch = request.headers.get("If-Match");
  const expected = ifMatch === null ? undefined : IF_MATCH.exec(ifMatch.trim());
  if (expected === null) return json(errorAnswer(400, "invalid_header", 'If-Match must be a stream version such as "3"'));
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) return json(errorAnswer(413, "payload_too_large", `request body exceeds ${MAX_BODY_BYTES} bytes`));
  const text = new TextDecoder().decode(bytes);
  let payload: unknown = {};
  try {
    // An empty body is `{}`, as in edge-cqrs.
    if (text.trim() !== "") payload = JSON.parse(text);
  } catch {
    return json(errorAnswer(400, "invalid_json", "request body is not valid JSON"));
  }
  const stub = env.ORDERS.get(env.ORDERS.idFromName(`order/${id}`));
  const commandId = request.headers.get("Idempotency-Key") ?? crypto.randomUUID();
  // RPC types turn `unknown` into `never`; the object returns a plain Answer.
  const answer = (await stub.execute({ id, command, payload, commandId, expectedVersion: expected ? Number(expected[1]) : undefined })) as unknown as Answer;
  const headers: Record<string, string> = {};
  if (answer.status === 200) {
    const body = answer.body as { version: number; token: string };
    headers["X-Consistency-Token"] = body.token;
    headers.ETag = `"${body.version}"`;
  }
  return json(answer, headers);
}

async function readOrder(url: URL, env: BaselineEnv, id: string): Promise<Response> {
  if (!ID_PATTERN.test(id)) return json(errorAnswer(400, "invalid_request", "id is invalid"));
  const token = url.searchParams.get("consistentWith");
  const waitText = url.searchParams.get("wait");
  const waitMs = waitText === null ? DEFAULT_WAIT_MS : Number(waitText);
  if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > MAX_WAIT_MS) return json(errorAnswer(400, "invalid_request", `wait must be 0-${MAX_WAIT_MS}`));
  if (token) {
    const positions = parseTokens(token);
    if (!positions) return json(errorAnswer(400, "invalid_token", "the consistency token is malformed"));
    if (!(await caughtUp(env.READ_DB, positions, waitMs))) return json(errorAnswer(412, "stale", `the read model did not reach the requested versions within ${waitMs} ms`));
  }
  const db = env.READ_DB;
  const [orders, items] = await db.batch<Record<string, unknown>>([
    db.prepare("SELECT id, customer_id, status, version FROM order_details WHERE id = ?").bind(id),
    db.prepare("SELECT sku, quantity, unit_price FROM order_details_items WHERE order_id = ? ORDER BY position").bind(id),
  ]);
  const row = orders?.results[0] as { id: string; customer_id: string; status: string; version: number } | undefined;
  if (!row) return json(errorAnswer(404, "not_found", `nothing at /orders/${id}`));
  const lines = (items?.results ?? []) as { sku: string; quantity: number; unit_price: number }[];
  return json({
    status: 200,
    body: {
      id: row.id,
      customerId: row.customer_id,
      status: row.status,
      items: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unit_price })),
      total: lines.reduce((sum, l) => sum + l.quantity * l.unit_price, 0),
      delivery: null,
      version: row.version,
    },
  });
}

/** Polls the details consumer's checkpoints until every position is reached, or the wait is over. */
async function caughtUp(db: D1Database, positions: Map<string, number>, waitMs: number): Promise<boolean> {
  const streams = [...positions.keys()];
  const query = db.prepare(`SELECT stream_id, version FROM checkpoints WHERE consumer = ? AND stream_id IN (${streams.map(() => "?").join(",")})`).bind(DETAILS, ...streams);
  const deadline = Date.now() + waitMs;
  for (let delay = FIRST_POLL_MS; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
    const { results } = await query.all<{ stream_id: string; version: number }>();
    const reached = new Map(results.map((r) => [r.stream_id, r.version]));
    if (streams.every((s) => (reached.get(s) ?? 0) >= positions.get(s)!)) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
  }
}

/** Bearer token compared in constant time (equal-length digests, then timingSafeEqual), as edge-cqrs does. */
async function authorised(request: Request, expected: string): Promise<boolean> {
  const presented = /^Bearer[ ]+(\S+)$/i.exec(request.headers.get("Authorization") ?? "")?.[1];
  if (presented === undefined) return false;
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(presented)), crypto.subtle.digest("SHA-256", encoder.encode(expected))]);
  return crypto.subtle.timingSafeEqual(a, b);
}

function json({ status, body }: Answer, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}
