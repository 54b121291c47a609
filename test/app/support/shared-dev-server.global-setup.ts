import { createServer, type Server } from "node:http";
import type { TestProject } from "vitest/node";
import { startWranglerDev, type WranglerDev } from "../../../scripts/wrangler-dev.mjs";

// The e2e project's globalSetup: one ordinary, fresh `wrangler dev` of the example per run, shared
// by the e2e files that need nothing more (their own ids, no restart, no private state, no
// server-wide operation such as a rebuild). It starts on the first file's request, not before, so a
// run of other e2e files never pays for it, and it stops when the run ends.
//
// Test files run in worker processes, so they reach it through a small broker in this process:
// `GET <broker>/example` answers the server's URL once it is healthy (sharedExampleServer() in
// shared-dev-server.ts).

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL of the broker that starts and hands out the shared e2e servers. */
    sharedDevServers: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let example: Promise<WranglerDev> | undefined;
  const broker: Server = createServer((request, response) => {
    if (request.url !== "/example") {
      response.writeHead(404).end();
      return;
    }
    example ??= startWranglerDev();
    example.then(
      (dev) => response.writeHead(200, { "Content-Type": "text/plain" }).end(dev.url),
      (error: unknown) => response.writeHead(500, { "Content-Type": "text/plain" }).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => broker.listen(0, "127.0.0.1", resolve));
  const address = broker.address();
  if (address === null || typeof address === "string") throw new Error("the shared dev server broker has no port");
  project.provide("sharedDevServers", `http://127.0.0.1:${address.port}`);

  return async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await (await example?.catch(() => undefined))?.stop();
  };
}
