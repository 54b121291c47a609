import { inject } from "vitest";

/**
 * The base URL of the run's shared `wrangler dev` of the example (shared-dev-server.global-setup.ts),
 * started on the first call of the run. A file that uses it shares the server with other files:
 * it writes only under ids of its own and asserts nothing about the server as a whole.
 */
export async function sharedExampleServer(): Promise<string> {
  const response = await fetch(`${inject("sharedDevServers")}/example`);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`the shared example server did not start:\n${body}`);
  return body;
}
