// A keep-alive HTTP client for one system under test: node:http is lighter on the shared CPU than
// fetch(), and every request has a deadline so a stuck server ends a phase instead of hanging it.
import { Agent, request } from "node:http";

/** One request that takes this long means the server is stuck: it counts as an error. */
const REQUEST_TIMEOUT_MS = 15_000;
export const API_TOKEN = "dev-api-token";
export const ADMIN_TOKEN = "dev-admin-token";

/**
 * @param {string} baseUrl
 * @param {number} sockets keep-alive pool size: the phase's concurrency
 */
export function httpClient(baseUrl, sockets) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  /**
   * Resolves with status and parsed JSON body; never rejects on a status or a network error.
   * @param {string} method
   * @param {string} path
   * @param {{ token?: string, body?: unknown, headers?: Record<string, string> }} [options]
   * @returns {Promise<{ ok: boolean, status: number, body: any }>}
   */
  function call(method, path, { token = API_TOKEN, body, headers = {} } = {}) {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const allHeaders = { ...headers, ...(token && { Authorization: `Bearer ${token}` }), ...(text && { "Content-Type": "application/json" }) };
    return new Promise((resolve) => {
      const req = request(`${baseUrl}${path}`, { method, agent, headers: allHeaders }, (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          resolve({ ok: status >= 200 && status < 300, status, body: parseJson(Buffer.concat(chunks).toString()) });
        });
        res.on("error", (error) => resolve({ ok: false, status: 0, body: String(error) }));
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${path}: no answer in ${REQUEST_TIMEOUT_MS} ms`)));
      req.on("error", (error) => resolve({ ok: false, status: 0, body: String(error) }));
      req.end(text);
    });
  }

  /** A call outside measured load, where any failure means the run is broken. */
  async function must(method, path, options) {
    const result = await call(method, path, options);
    if (!result.ok) throw new Error(`${method} ${baseUrl}${path} answered ${result.status}: ${JSON.stringify(result.body)}`);
    return result.body;
  }

  return { call, must, close: () => agent.destroy() };
}

/** The body as JSON, or as text when it is not (wrangler's "worker restarted" page, say). */
function parseJson(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}
