import { runInDurableObject } from "cloudflare:test";
import { bindings, workerUnderTest } from "./worker-under-test";

/** The bearer tokens vitest.config.mts binds as API_TOKEN and ADMIN_TOKEN. */
export const API_TOKEN = "test-api-token";
export const ADMIN_TOKEN = "test-admin-token";

const ORIGIN = "https://edge-cqrs.test";

/** Any request to the Worker under test, through its real `fetch` handler. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return workerUnderTest.fetch(new Request(`${ORIGIN}${path}`, init));
}

/**
 * `POST /commands/:aggregate/:id/:command` with the API token. A string body is sent as it is
 * (for malformed JSON); anything else is JSON-encoded. Headers override the defaults.
 */
export function command(aggregate: string, id: string, name: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<Response> {
  return call(`/commands/${aggregate}/${id}/${name}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${API_TOKEN}`, "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** `GET` an admin path (`/streams/...`, `/admin/...`) with the admin token. */
export function adminGet(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...headers } });
}

/** The JSON body of a response, typed loosely for assertions. */
export async function json<T = Record<string, any>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** `GET /streams/:aggregate/:id` with optional query (`from`, `limit`, `asOf`), as status and body. */
export async function readStream(aggregate: string, id: string, query: Record<string, string | number> = {}): Promise<{ status: number; body: any }> {
  const search = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
  const qs = search.size > 0 ? `?${search}` : "";
  const response = await adminGet(`/streams/${aggregate}/${id}${qs}`);
  return { status: response.status, body: await response.json() };
}

/** The stub of the aggregate object named `"<aggregate>/<id>"`. */
export function objectOf(aggregate: string, id: string) {
  return bindings.AGGREGATES.get(bindings.AGGREGATES.idFromName(`${aggregate}/${id}`));
}

/** What the object holds in SQLite, read from inside it: how tests prove nothing was stored. */
export function storedRows(aggregate: string, id: string): Promise<{ streams: number; events: number; commands: number }> {
  return runInDurableObject(objectOf(aggregate, id), (_instance, state) => {
    // An object never written has no tables at all: storage is created by the first append.
    const tables = new Set(state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((r) => r.name));
    const count = (table: string) => (tables.has(table) ? state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n : 0);
    return { streams: count("stream"), events: count("events"), commands: count("commands") };
  });
}
