import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WranglerDev } from "../../../scripts/wrangler-dev.mjs";
import { RESERVED_METADATA_KEYS } from "../../../src/runtime/envelope";
import { MAX_BODY_BYTES, MAX_JSON_DEPTH } from "../../../src/runtime/http";
import { RUNTIME_COMMAND_ID_PREFIX } from "../../../src/runtime/ids";
import { ADMIN_TOKEN, API_TOKEN, startFixtureDev } from "./fixture-dev";

// Hostile input against a real `wrangler dev` of the runtime's fixture application: one row per
// request, each answered with the documented status and error code, and none allowed to change
// anything. After every row the seeded account's stream, balance and statement, and every
// subscriber's stream count, must be exactly as they were, and a stream the row named must still
// not exist.

const SEED_ACCOUNT = "seed-1";
const SEED_OWNER = "seed-c";
const SENTINEL_ACCOUNT = "sentinel-1";
const CONSISTENCY_WAIT_MS = 10_000;
const PROTOTYPE_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"] as const;
const AGGREGATES = new Set(["account", "payment"]);
const AGGREGATE_ID = /^[A-Za-z0-9._~-]{1,128}$/;

type Auth = "api" | "admin" | "none";

interface Row {
  readonly label: string;
  readonly method?: "GET" | "POST";
  /** Path and query exactly as sent: anything outside printable ASCII is already percent-encoded. */
  readonly path: string;
  /** Which token goes in `Authorization`; by default the one the route needs. */
  readonly auth?: Auth;
  readonly headers?: Record<string, string>;
  /** A string or bytes are sent as they are; anything else is JSON-encoded. POSTs without one send `{}`. */
  readonly body?: unknown;
  readonly status: number;
  /** The error code; null for a request that must succeed without changing anything. */
  readonly error: string | null;
}

interface Answer {
  readonly status: number;
  readonly body: any;
}

const OPEN = { owner: SEED_OWNER };
const DEPOSIT = { amount: 250 };
const RUNTIME_ID = `${RUNTIME_COMMAND_ID_PREFIX}pm:crediting:0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b:0`;

const b64url = (text: string) => Buffer.from(text).toString("base64url");
const nested = (depth: number, inner = "1") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;
const tokenOf = (streamId: string, version: number | string) => `${b64url(streamId)}.${version}`;
const upgrade = { Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13" };

const ROWS: readonly Row[] = [
  // Names every JS object has, in every path segment that names something.
  ...PROTOTYPE_NAMES.map((name): Row => ({ label: `command named ${name}`, method: "POST", path: `/commands/account/hx-1/${name}`, body: OPEN, status: 404, error: "unknown_command" })),
  ...PROTOTYPE_NAMES.map((name): Row => ({ label: `aggregate named ${name}`, method: "POST", path: `/commands/${name}/hx-2/open`, body: OPEN, status: 404, error: "unknown_aggregate" })),
  ...PROTOTYPE_NAMES.map((name): Row => ({ label: `account id ${name}, refused by the domain`, method: "POST", path: `/commands/account/${name}/withdraw`, body: DEPOSIT, status: 422, error: "rejected" })),
  ...PROTOTYPE_NAMES.map((name): Row => ({ label: `stream of aggregate ${name}`, path: `/streams/${name}/hx-3`, status: 404, error: "unknown_aggregate" })),
  ...PROTOTYPE_NAMES.map((name): Row => ({ label: `stream account/${name}`, path: `/streams/account/${name}`, status: 404, error: "not_found" })),
  ...PROTOTYPE_NAMES.map((name): Row => ({ label: `balance view ${name}`, path: `/accounts/${name}`, status: 404, error: "not_found" })),
  ...PROTOTYPE_NAMES.map((name): Row => ({ label: `dead letters of projection ${name}`, path: `/admin/projections/${name}/dead-letters`, status: 404, error: "not_found" })),
  { label: "live stream of aggregate __proto__", path: "/streams/__proto__/hx-4/live", headers: upgrade, status: 404, error: "unknown_aggregate" },
  { label: "live stream of aggregate constructor", path: "/streams/constructor/hx-4/live", headers: upgrade, status: 404, error: "unknown_aggregate" },
  { label: "statement of account __proto__", path: "/accounts/__proto__/statement", status: 200, error: null },
  { label: "statement of account constructor", path: "/accounts/constructor/statement", status: 200, error: null },
  { label: "replay of projection __proto__", method: "POST", path: "/admin/projections/__proto__/dead-letters/replay", status: 404, error: "not_found" },
  { label: "replay of projection hasOwnProperty", method: "POST", path: "/admin/projections/hasOwnProperty/dead-letters/replay", status: 404, error: "not_found" },

  // The same names as query parameters and values.
  { label: "?__proto__= and ?constructor= on a view", path: `/accounts/${SEED_ACCOUNT}?__proto__=x&constructor=y&toString=z`, status: 200, error: null },
  { label: "?__proto__[polluted]= on a statement", path: `/accounts/${SEED_ACCOUNT}/statement?__proto__%5Bpolluted%5D=1`, status: 200, error: null },
  { label: "?limit=constructor", path: `/accounts/${SEED_ACCOUNT}/statement?limit=constructor`, status: 400, error: "invalid_query" },
  { label: "?cursor=__proto__", path: `/accounts/${SEED_ACCOUNT}/statement?cursor=__proto__`, status: 400, error: "invalid_query" },
  { label: "?wait=valueOf", path: `/accounts/${SEED_ACCOUNT}?consistentWith=${tokenOf(`account/${SEED_ACCOUNT}`, 1)}&wait=valueOf`, status: 400, error: "invalid_query" },
  { label: "?from=toString on a stream", path: `/streams/account/${SEED_ACCOUNT}?from=toString`, status: 400, error: "invalid_query" },
  { label: "?limit=hasOwnProperty on dead letters", path: "/admin/projections/balances/dead-letters?limit=hasOwnProperty", status: 400, error: "invalid_query" },
  { label: "?consistentWith=__proto__", path: `/accounts/${SEED_ACCOUNT}?consistentWith=__proto__`, status: 400, error: "invalid_token" },
  { label: "a token naming stream __proto__/x asks nothing of the view", path: `/accounts/${SEED_ACCOUNT}?consistentWith=${tokenOf("__proto__/x", 5)}`, status: 200, error: null },

  // Nesting.
  { label: `body nested ${MAX_JSON_DEPTH + 1} levels`, method: "POST", path: "/commands/account/hx-5/open", body: nested(MAX_JSON_DEPTH + 1), status: 400, error: "invalid_json" },
  { label: "body nested 5,000 levels", method: "POST", path: "/commands/account/hx-5/open", body: nested(5_000), status: 400, error: "invalid_json" },
  { label: "body nested 30,000 levels (60 KB)", method: "POST", path: "/commands/account/hx-5/open", body: nested(30_000), status: 400, error: "invalid_json" },
  { label: "deep objects in a payload field", method: "POST", path: "/commands/account/hx-5/open", body: `{"owner":${'{"a":'.repeat(200)}1${"}".repeat(200)}}`, status: 400, error: "invalid_json" },
  { label: "nested X-Event-Metadata", method: "POST", path: "/commands/account/hx-5/open", body: OPEN, headers: { "X-Event-Metadata": `{"a":${nested(100, '"x"')}}` }, status: 400, error: "invalid_header" },
  { label: "seed deposit with a nested body", method: "POST", path: `/commands/account/${SEED_ACCOUNT}/deposit`, body: `{"amount":1,"x":${nested(1_000)}}`, status: 400, error: "invalid_json" },

  // Sizes.
  { label: "body one byte over the limit", method: "POST", path: "/commands/account/hx-6/open", body: `"${"x".repeat(MAX_BODY_BYTES - 1)}"`, status: 413, error: "payload_too_large" },
  { label: "id of 129 characters", method: "POST", path: `/commands/account/${"a".repeat(129)}/open`, body: OPEN, status: 400, error: "invalid_id" },
  { label: "Idempotency-Key of 201 characters", method: "POST", path: "/commands/account/hx-6/open", body: OPEN, headers: { "Idempotency-Key": "k".repeat(201) }, status: 400, error: "invalid_header" },
  { label: "X-Event-Metadata of 17 fields", method: "POST", path: "/commands/account/hx-6/open", body: OPEN, headers: { "X-Event-Metadata": JSON.stringify(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"]))) }, status: 400, error: "invalid_header" },
  { label: "X-Event-Metadata value of 513 characters", method: "POST", path: "/commands/account/hx-6/open", body: OPEN, headers: { "X-Event-Metadata": JSON.stringify({ note: "n".repeat(513) }) }, status: 400, error: "invalid_header" },
  { label: "cursor of 513 characters", path: `/accounts/${SEED_ACCOUNT}/statement?cursor=${"A".repeat(513)}`, status: 400, error: "invalid_query" },
  { label: "consistency token of 101 positions", path: `/accounts/${SEED_ACCOUNT}?consistentWith=${Array.from({ length: 101 }, () => tokenOf(`account/${SEED_ACCOUNT}`, 1)).join("~")}`, status: 400, error: "invalid_token" },
  { label: "stream page of 100,000", path: `/streams/account/${SEED_ACCOUNT}?limit=100000`, status: 400, error: "invalid_query" },
  { label: "statement page of 101", path: `/accounts/${SEED_ACCOUNT}/statement?limit=101`, status: 400, error: "invalid_query" },
  { label: "?wait= past the ceiling", path: `/accounts/${SEED_ACCOUNT}?wait=10001`, status: 400, error: "invalid_query" },

  // Unicode and control characters in ids, names, keys and headers.
  { label: "id é", method: "POST", path: "/commands/account/%C3%A9/open", body: OPEN, status: 400, error: "invalid_id" },
  { label: "id with an emoji", method: "POST", path: "/commands/account/o-%F0%9F%98%80/open", body: OPEN, status: 400, error: "invalid_id" },
  { label: "id with NUL", method: "POST", path: "/commands/account/o%00/open", body: OPEN, status: 400, error: "invalid_id" },
  { label: "id with a newline", method: "POST", path: "/commands/account/o%0A1/open", body: OPEN, status: 400, error: "invalid_id" },
  { label: "id with an encoded slash", method: "POST", path: "/commands/account/hx-7%2Fx/open", body: OPEN, status: 400, error: "invalid_id" },
  { label: "id with a right-to-left override", method: "POST", path: "/commands/account/o%E2%80%AE1/open", body: OPEN, status: 400, error: "invalid_id" },
  { label: "id with broken percent-encoding", method: "POST", path: "/commands/account/o%E0%A4%A/open", body: OPEN, status: 400, error: "invalid_id" },
  { label: "command name with a umlaut", method: "POST", path: "/commands/account/hx-7/pl%C3%A4ce", body: OPEN, status: 404, error: "unknown_command" },
  { label: "stream id with NUL", path: "/streams/account/o%00", status: 400, error: "invalid_id" },
  { label: "view id with an emoji", path: "/accounts/%F0%9F%98%80", status: 400, error: "invalid_id" },
  { label: "statement id with a space", path: "/accounts/c%201/statement", status: 400, error: "invalid_id" },
  { label: "Idempotency-Key with a latin-1 byte", method: "POST", path: "/commands/account/hx-7/open", body: OPEN, headers: { "Idempotency-Key": "k\u00e9y" }, status: 400, error: "invalid_header" },
  { label: "Idempotency-Key with a tab", method: "POST", path: "/commands/account/hx-7/open", body: OPEN, headers: { "Idempotency-Key": "k\tey" }, status: 400, error: "invalid_header" },
  { label: "Idempotency-Key with DEL", method: "POST", path: "/commands/account/hx-7/open", body: OPEN, headers: { "Idempotency-Key": "k\u007fey" }, status: 400, error: "invalid_header" },
  { label: "Idempotency-Key with ESC", method: "POST", path: "/commands/account/hx-7/open", body: OPEN, headers: { "Idempotency-Key": "k\u001b[2Jey" }, status: 400, error: "invalid_header" },
  { label: "X-Correlation-Id with a control character", method: "POST", path: "/commands/account/hx-7/open", body: OPEN, headers: { "X-Correlation-Id": "c\u0001" }, status: 400, error: "invalid_header" },
  { label: "X-Event-Metadata with a raw control character", method: "POST", path: "/commands/account/hx-7/open", body: OPEN, headers: { "X-Event-Metadata": '{"tenant":"a\u0002"}' }, status: 400, error: "invalid_header" },
  { label: "X-Correlation-Id with a latin-1 byte", method: "POST", path: "/commands/account/hx-7/open", body: OPEN, headers: { "X-Correlation-Id": "c\u00f8rr" }, status: 400, error: "invalid_header" },
  { label: "X-Event-Metadata key with an escaped NUL", method: "POST", path: "/commands/account/hx-7/open", body: OPEN, headers: { "X-Event-Metadata": '{"a\\u0000":"x"}' }, status: 400, error: "invalid_header" },
  { label: "X-Event-Metadata key __proto__", method: "POST", path: "/commands/account/hx-7/open", body: OPEN, headers: { "X-Event-Metadata": '{"__proto__":"x"}' }, status: 400, error: "invalid_header" },
  { label: "If-Match that is not a version", method: "POST", path: `/commands/account/${SEED_ACCOUNT}/deposit`, body: DEPOSIT, headers: { "If-Match": '"1e3"' }, status: 400, error: "invalid_header" },
  { label: "body with a lone surrogate escape", method: "POST", path: "/commands/account/hx-7/open", body: '{"owner":"\\ud800"}', status: 400, error: "invalid_command" },
  { label: "body that is not UTF-8", method: "POST", path: "/commands/account/hx-7/open", body: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), status: 400, error: "invalid_json" },

  // The runtime's reserved ids and metadata keys.
  { label: "Idempotency-Key of a process manager's command", method: "POST", path: `/commands/account/${SEED_ACCOUNT}/deposit`, body: DEPOSIT, headers: { "Idempotency-Key": RUNTIME_ID }, status: 400, error: "invalid_header" },
  { label: "Idempotency-Key of the bare reserved prefix", method: "POST", path: "/commands/account/hx-8/open", body: OPEN, headers: { "Idempotency-Key": RUNTIME_COMMAND_ID_PREFIX }, status: 400, error: "invalid_header" },
  ...[...RESERVED_METADATA_KEYS].map(
    (key): Row => ({
      label: `X-Event-Metadata forging ${key}`,
      method: "POST",
      path: `/commands/account/${SEED_ACCOUNT}/deposit`,
      body: DEPOSIT,
      headers: { "X-Event-Metadata": JSON.stringify({ tenant: "acme", [key]: "forged" }) },
      status: 400,
      error: "invalid_header",
    }),
  ),
  ...["constructor", "toString", "hasOwnProperty"].map(
    (key): Row => ({ label: `X-Event-Metadata key ${key}`, method: "POST", path: "/commands/account/hx-8/open", body: OPEN, headers: { "X-Event-Metadata": JSON.stringify({ [key]: "x" }) }, status: 400, error: "invalid_header" }),
  ),

  // Tokens on the wrong routes.
  { label: "no token on a command", method: "POST", path: `/commands/account/${SEED_ACCOUNT}/deposit`, auth: "none", body: DEPOSIT, status: 401, error: "unauthorized" },
  { label: "admin token on a command", method: "POST", path: `/commands/account/${SEED_ACCOUNT}/deposit`, auth: "admin", body: DEPOSIT, status: 401, error: "unauthorized" },
  { label: "admin token on a view", path: `/accounts/${SEED_ACCOUNT}`, auth: "admin", status: 401, error: "unauthorized" },
  { label: "API token on /admin/projections", path: "/admin/projections", auth: "api", status: 401, error: "unauthorized" },
  { label: "API token on a stream", path: `/streams/account/${SEED_ACCOUNT}`, auth: "api", status: 401, error: "unauthorized" },
  { label: "API token on a replay", method: "POST", path: "/admin/projections/balances/dead-letters/replay", auth: "api", status: 401, error: "unauthorized" },
  { label: "API token on the live stream", path: `/streams/account/${SEED_ACCOUNT}/live`, auth: "api", headers: upgrade, status: 401, error: "unauthorized" },
  { label: "Basic credentials on a view", path: `/accounts/${SEED_ACCOUNT}`, auth: "none", headers: { Authorization: `Basic ${b64url(`x:${API_TOKEN}`)}` }, status: 401, error: "unauthorized" },
  { label: "?access_token= on a command, with Upgrade", method: "POST", path: `/commands/account/${SEED_ACCOUNT}/deposit?access_token=${API_TOKEN}`, auth: "none", headers: upgrade, body: DEPOSIT, status: 401, error: "unauthorized" },
  { label: "?access_token= on a view, with Upgrade", path: `/accounts/${SEED_ACCOUNT}?access_token=${API_TOKEN}`, auth: "none", headers: upgrade, status: 401, error: "unauthorized" },
  { label: "?access_token= on a stream, with Upgrade", path: `/streams/account/${SEED_ACCOUNT}?access_token=${ADMIN_TOKEN}`, auth: "none", headers: upgrade, status: 401, error: "unauthorized" },
  { label: "?access_token= on /admin/projections, with Upgrade", path: `/admin/projections?access_token=${ADMIN_TOKEN}`, auth: "none", headers: upgrade, status: 401, error: "unauthorized" },
  { label: "?access_token= on a replay, with Upgrade", method: "POST", path: `/admin/projections/balances/dead-letters/replay?access_token=${ADMIN_TOKEN}`, auth: "none", headers: upgrade, status: 401, error: "unauthorized" },
  { label: "?access_token= on the live stream without Upgrade", path: `/streams/account/${SEED_ACCOUNT}/live?access_token=${ADMIN_TOKEN}`, auth: "none", status: 401, error: "unauthorized" },

  // Malformed cursors and consistency tokens.
  { label: "cursor that is not base64", path: `/accounts/${SEED_ACCOUNT}/statement?cursor=!!!`, status: 400, error: "invalid_query" },
  { label: "cursor of a JSON object", path: `/accounts/${SEED_ACCOUNT}/statement?cursor=${b64url('{"streamId":"x","version":1}')}`, status: 400, error: "invalid_query" },
  { label: "cursor of numbers", path: `/accounts/${SEED_ACCOUNT}/statement?cursor=${b64url("[1,2]")}`, status: 400, error: "invalid_query" },
  { label: "cursor of nested arrays", path: `/accounts/${SEED_ACCOUNT}/statement?cursor=${b64url(nested(200))}`, status: 400, error: "invalid_query" },
  { label: "token without a version", path: `/accounts/${SEED_ACCOUNT}?consistentWith=${b64url(`account/${SEED_ACCOUNT}`)}`, status: 400, error: "invalid_token" },
  { label: "token with a negative version", path: `/accounts/${SEED_ACCOUNT}?consistentWith=${tokenOf(`account/${SEED_ACCOUNT}`, "-1")}`, status: 400, error: "invalid_token" },
  { label: "token with an exponent version", path: `/accounts/${SEED_ACCOUNT}?consistentWith=${tokenOf(`account/${SEED_ACCOUNT}`, "1e3")}`, status: 400, error: "invalid_token" },
  { label: "token of a stream id without a slash", path: `/accounts/${SEED_ACCOUNT}?consistentWith=${tokenOf("account", 1)}`, status: 400, error: "invalid_token" },
  { label: "token of a stream id that is not UTF-8", path: `/accounts/${SEED_ACCOUNT}?consistentWith=${Buffer.from([0xff, 0xfe, 0x2f, 0x61]).toString("base64url")}.1`, status: 400, error: "invalid_token" },
  { label: "malformed X-Consistency-Token header", path: `/accounts/${SEED_ACCOUNT}`, headers: { "X-Consistency-Token": "%%%" }, status: 400, error: "invalid_token" },
  { label: "token ahead of the view with wait=0", path: `/accounts/${SEED_ACCOUNT}?consistentWith=${tokenOf(`account/${SEED_ACCOUNT}`, 999)}&wait=0`, status: 412, error: "stale" },

  // Routes that do not exist for a method.
  { label: "GET on a command route", path: `/commands/account/${SEED_ACCOUNT}/deposit`, status: 404, error: "not_found" },
  { label: "POST on a view", method: "POST", path: `/accounts/${SEED_ACCOUNT}`, status: 404, error: "not_found" },
];

let dev: WranglerDev;

/**
 * Sends one request byte for byte over a socket (header values as latin-1 bytes) and reads the
 * JSON answer. fetch and node:http refuse to send an `Upgrade` header or control characters.
 */
function send(row: Pick<Row, "method" | "path" | "headers" | "body" | "auth">): Promise<Answer> {
  const method = row.method ?? "GET";
  const token = { api: API_TOKEN, admin: ADMIN_TOKEN, none: undefined }[row.auth ?? routeAuth(row.path)];
  const text = method === "POST" ? (typeof row.body === "string" || Buffer.isBuffer(row.body) ? row.body : JSON.stringify(row.body ?? {})) : undefined;
  const body = text === undefined ? Buffer.alloc(0) : Buffer.isBuffer(text) ? text : Buffer.from(text, "utf8");
  const url = new URL(dev.url);
  const headers: Record<string, string> = {
    Host: url.host,
    ...(row.headers?.Upgrade === undefined && { Connection: "close" }),
    ...(token !== undefined && { Authorization: `Bearer ${token}` }),
    ...(method === "POST" && { "Content-Type": "application/json", "Content-Length": String(body.length) }),
    ...row.headers,
  };
  const head = `${method} ${row.path} HTTP/1.1\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(Buffer.concat([Buffer.from(head, "latin1"), body])));
    let received = Buffer.alloc(0);
    const settle = (final: boolean) => {
      const answer = parseResponse(received, final);
      if (answer === undefined) return;
      socket.destroy();
      resolve(answer);
    };
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      settle(false);
    });
    socket.on("end", () => settle(true));
    socket.on("error", reject);
  });
}

/** The answer once it is complete (by Content-Length, chunked end, or the socket closing), else undefined. */
function parseResponse(bytes: Buffer, final: boolean): Answer | undefined {
  const split = bytes.indexOf("\r\n\r\n");
  if (split < 0) return final ? { status: 0, body: bytes.toString("latin1") } : undefined;
  const [statusLine = "", ...headerLines] = bytes.subarray(0, split).toString("latin1").split("\r\n");
  const header = (name: string) => headerLines.find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
  const status = Number(statusLine.split(" ")[1]);
  let rest = bytes.subarray(split + 4);
  const length = header("content-length");
  if (length !== undefined) {
    if (rest.length < Number(length)) return undefined;
    rest = rest.subarray(0, Number(length));
  } else if (header("transfer-encoding")?.toLowerCase() === "chunked") {
    const chunks: Buffer[] = [];
    for (let at = 0; ; ) {
      const eol = rest.indexOf("\r\n", at);
      if (eol < 0) return undefined;
      const size = parseInt(rest.subarray(at, eol).toString("latin1"), 16);
      if (size === 0) break;
      if (rest.length < eol + 2 + size) return undefined;
      chunks.push(rest.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
    rest = Buffer.concat(chunks);
  } else if (status !== 101 && !final) {
    return undefined;
  }
  const text = rest.toString("utf8");
  try {
    return { status, body: JSON.parse(text) };
  } catch {
    // Left as text: the assertion on `error` shows what came back.
    return { status, body: text };
  }
}

function routeAuth(path: string): Auth {
  return path.startsWith("/streams/") || path.startsWith("/admin/") ? "admin" : "api";
}

const get = (path: string) => send({ path });

async function seedCommand(path: string, body: unknown): Promise<{ token: string; version: number }> {
  const answer = await send({ method: "POST", path, body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as { token: string; version: number };
}

/** Everything a hostile request must leave as it was. */
async function observed(): Promise<{ stream: Answer; view: Answer; statement: Answer; subscribers: Record<string, { streams: number; deadLetters: number }> }> {
  const [stream, view, statement, admin] = await Promise.all([
    get(`/streams/account/${SEED_ACCOUNT}`),
    get(`/accounts/${SEED_ACCOUNT}`),
    get(`/accounts/${SEED_ACCOUNT}/statement`),
    get("/admin/projections"),
  ]);
  expect(admin.status).toBe(200);
  const subscribers = Object.fromEntries(
    (admin.body.projections as { name: string; streams: number; deadLetters: number }[]).map((p) => [p.name, { streams: p.streams, deadLetters: p.deadLetters }]),
  );
  return { stream, view, statement, subscribers };
}

/** The stream a command row names, when it is a well-formed one other than the seed. */
function namedStream(row: Row): string | undefined {
  const match = /^\/commands\/([^/?]+)\/([^/?]+)\//.exec(row.path);
  if (!match) return undefined;
  const [aggregate, id] = [decodeURIComponent(match[1]!), safeDecode(match[2]!)];
  return AGGREGATES.has(aggregate) && id !== undefined && AGGREGATE_ID.test(id) && id !== SEED_ACCOUNT ? `${aggregate}/${id}` : undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

let before: Awaited<ReturnType<typeof observed>>;

beforeAll(async () => {
  dev = await startFixtureDev();
  await seedCommand(`/commands/account/${SEED_ACCOUNT}/open`, OPEN);
  const deposited = await seedCommand(`/commands/account/${SEED_ACCOUNT}/deposit`, DEPOSIT);
  // Both views have applied the seed before anything is compared against them.
  expect((await get(`/accounts/${SEED_ACCOUNT}?consistentWith=${deposited.token}&wait=${CONSISTENCY_WAIT_MS}`)).status).toBe(200);
  expect((await get(`/accounts/${SEED_ACCOUNT}/statement?consistentWith=${deposited.token}&wait=${CONSISTENCY_WAIT_MS}`)).status).toBe(200);
  before = await observed();
  expect(before.stream.body.version).toBe(2);
  expect(before.view.body).toMatchObject({ id: SEED_ACCOUNT, version: 2 });
});

afterAll(async () => {
  await dev?.stop();
});

describe("hostile input over HTTP against wrangler dev", () => {
  it("has a table of at least 60 requests with distinct labels", () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(ROWS.map((r) => r.label)).size).toBe(ROWS.length);
  });

  it.each(ROWS)("$label → $status $error", async (row) => {
    const answer = await send(row);
    expect({ status: answer.status, error: answer.body?.error ?? null }, JSON.stringify(answer.body).slice(0, 500)).toEqual({
      status: row.status,
      error: row.error,
    });
    if (row.error !== null) expect(answer.body.message).toEqual(expect.stringMatching(/\w+ \w+/));

    expect(await observed()).toEqual(before);
    const stream = namedStream(row);
    if (stream !== undefined) expect((await get(`/streams/${stream}`)).body.error).toBe("not_found");
  });

  it("changed nothing that shows only once the queues have run", async () => {
    // A sentinel account goes through both views after every row above was answered: once the
    // views have applied it, the only new stream they count is the sentinel's.
    await seedCommand(`/commands/account/${SENTINEL_ACCOUNT}/open`, { owner: "sentinel-c" });
    const sentinel = await seedCommand(`/commands/account/${SENTINEL_ACCOUNT}/deposit`, DEPOSIT);
    expect((await get(`/accounts/${SENTINEL_ACCOUNT}?consistentWith=${sentinel.token}&wait=${CONSISTENCY_WAIT_MS}`)).status).toBe(200);
    expect((await get(`/accounts/${SENTINEL_ACCOUNT}/statement?consistentWith=${sentinel.token}&wait=${CONSISTENCY_WAIT_MS}`)).status).toBe(200);
    const after = await observed();
    expect(after.stream).toEqual(before.stream);
    expect(after.view).toEqual(before.view);
    expect(after.statement).toEqual(before.statement);
    const grew = (name: string) => ({ ...before.subscribers[name]!, streams: before.subscribers[name]!.streams + 1 });
    expect(after.subscribers).toEqual({ ...before.subscribers, balances: grew("balances"), statement: grew("statement") });
  });
});
