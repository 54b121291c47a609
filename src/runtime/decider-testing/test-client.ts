import type { CommandSuccess } from "../aggregate-protocol/index.js";
import type { ErrorBody } from "../errors/index.js";

/** Anything that answers a request the way a Worker does: `exports.default.fetch`, `fetch` to `wrangler dev`. */
export type RequestHandler = (request: Request) => Response | Promise<Response>;

export interface TestClientOptions {
  /** Bearer token for commands and queries (default: the `API_TOKEN` the test environment binds). */
  readonly token: string;
  /** Origin of the requests (default `https://edge-cqrs.test`; use the dev server's URL for end-to-end tests). */
  readonly origin?: string;
}

/** A command's answer: the success body, or the error body with its status. */
export type CommandResult =
  | { readonly ok: true; readonly status: 200; readonly body: CommandSuccess; readonly replayed: boolean }
  | { readonly ok: false; readonly status: number; readonly body: ErrorBody };

/**
 * A small client for integration tests of an application: commands as the HTTP API takes them,
 * and queries that wait for the consistency token of the commands before them, so a test reads
 * its own writes through the real outbox, queue and projection.
 *
 * @example
 * import { exports } from "cloudflare:workers";
 * const client = testClient((request) => exports.default.fetch(request), { token: "test-api-token" });
 * await client.command("loan", "l-1", "borrow", { bookId: "b-1", memberId: "m-1", dueOn: "2026-02-01" });
 * const view = await client.query("/loans/l-1");     // waits for the borrow to be projected
 */
export function testClient(handle: RequestHandler, options: TestClientOptions) {
  const origin = options.origin ?? "https://edge-cqrs.test";
  const tokens: string[] = [];
  const headers = (extra: Record<string, string> = {}) => ({ Authorization: `Bearer ${options.token}`, ...extra });
  return {
    /** `POST /commands/:aggregate/:id/:command`; a success's token is remembered for the next queries. */
    async command(aggregate: string, id: string, name: string, payload: unknown = {}, extraHeaders: Record<string, string> = {}): Promise<CommandResult> {
      const response = await handle(
        new Request(`${origin}/commands/${aggregate}/${id}/${name}`, {
          method: "POST",
          headers: headers({ "Content-Type": "application/json", ...extraHeaders }),
          body: JSON.stringify(payload),
        }),
      );
      if (response.status !== 200) return { ok: false, status: response.status, body: (await response.json()) as ErrorBody };
      const body = (await response.json()) as CommandSuccess;
      tokens.push(body.token);
      return { ok: true, status: 200, body, replayed: response.headers.get("Idempotent-Replayed") === "true" };
    },
    /**
     * `GET path`, consistent with every successful command this client sent (unless `consistent`
     * is false): the answer reflects them, or is `412 stale` after `waitMs`.
     */
    async query(path: string, { consistent = true, waitMs = 5_000 }: { consistent?: boolean; waitMs?: number } = {}): Promise<{ status: number; body: unknown }> {
      const url = new URL(path, origin);
      if (consistent && tokens.length > 0) {
        // The server keeps the highest version per stream; a query takes at most 100 positions.
        url.searchParams.set("consistentWith", tokens.slice(-100).join(","));
        url.searchParams.set("wait", String(waitMs));
      }
      const response = await handle(new Request(url, { headers: headers() }));
      return { status: response.status, body: (await response.json()) as unknown };
    },
  };
}
