import { createExecutionContext } from "cloudflare:test";
import { createRuntime, HttpError, type Authentication } from "edge-cqrs";
import { describe, expect, it } from "vitest";
import { application } from "../../fixture/application";
import type { FixtureEnv } from "../../fixture/env";
import { fixtureEnv as env } from "../../fixture/support/worker";
import { readStream } from "../../../support/http";

// createRuntime's options, exercised on the fixture application inside workerd with the real
// bindings: a runtime built here serves requests through the same Durable Objects, queues and D1.
const open = { owner: "c-opt" };
const post = (path: string, headers: Record<string, string>) =>
  new Request(`https://runtime.test${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(open) });

describe("a custom authentication", () => {
  // Say the application's identity provider put a user id in a header it verified.
  const auth: Authentication<FixtureEnv> = {
    api: (request) => {
      const user = request.headers.get("X-Verified-User");
      if (user === "blocked") throw new HttpError(403 as never, "unauthorized", "this user may not write");
      return user ? { id: user } : null;
    },
    admin: () => null,
  };
  const runtime = createRuntime(application, { auth });

  it("runs a command for the actor it returns, and records the actor on the events", async () => {
    const response = await runtime.fetch(post("/commands/account/opt-auth-1/open", { "X-Verified-User": "u-7" }), env, createExecutionContext());
    expect(response.status).toBe(200);
    const stream = await readStream("account", "opt-auth-1");
    expect(stream.body.events[0].metadata.actor).toBe("u-7");
  });

  it("answers 401 when it returns no actor, and the bearer token is no longer enough", async () => {
    const response = await runtime.fetch(post("/commands/account/opt-auth-2/open", { Authorization: "Bearer test-api-token" }), env, createExecutionContext());
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "unauthorized" });
    expect((await readStream("account", "opt-auth-2")).status).toBe(404);
  });

  it("passes its own HttpError through", async () => {
    const response = await runtime.fetch(post("/commands/account/opt-auth-3/open", { "X-Verified-User": "blocked" }), env, createExecutionContext());
    expect(response.status).toBe(403);
  });

  it("guards the admin routes with its admin check", async () => {
    const response = await runtime.fetch(new Request("https://runtime.test/admin/projections", { headers: { Authorization: "Bearer test-admin-token" } }), env, createExecutionContext());
    expect(response.status).toBe(401);
  });
});

describe("a base path", () => {
  const runtime = createRuntime(application, { basePath: "/cqrs" });

  it("serves commands, queries and health under the prefix only", async () => {
    const placed = await runtime.fetch(post("/cqrs/commands/account/opt-base-1/open", { Authorization: "Bearer test-api-token" }), env, createExecutionContext());
    expect(placed.status).toBe(200);
    expect((await runtime.fetch(new Request("https://runtime.test/cqrs/health"), env, createExecutionContext())).status).toBe(200);
    const unprefixed = await runtime.fetch(post("/commands/account/opt-base-2/open", { Authorization: "Bearer test-api-token" }), env, createExecutionContext());
    expect(unprefixed.status).toBe(404);
  });

  it("documents the prefixed paths in OpenAPI", async () => {
    const document = (await (await runtime.fetch(new Request("https://runtime.test/cqrs/openapi.json"), env, createExecutionContext())).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(document.paths)).toContain("/cqrs/commands/account/{id}/open");
  });

  it("can be mounted in the application's own hono app", async () => {
    const { Hono } = await import("hono");
    const outer = new Hono<{ Bindings: FixtureEnv }>();
    outer.get("/", (c) => c.text("my site"));
    outer.route("/", createRuntime(application, { basePath: "/api" }).http);
    expect(await (await outer.fetch(new Request("https://runtime.test/"), env, createExecutionContext())).text()).toBe("my site");
    const placed = await outer.fetch(post("/api/commands/account/opt-base-3/open", { Authorization: "Bearer test-api-token" }), env, createExecutionContext());
    expect(placed.status).toBe(200);
  });
});

describe("a missing binding", () => {
  const runtime = createRuntime(application);
  const { STATEMENT_QUEUE: _missing, ...withoutQueue } = env;

  it("answers a command 500 misconfigured, naming the binding and the wrangler.toml block, and stores nothing", async () => {
    const response = await runtime.fetch(post("/commands/account/opt-miss-1/open", { Authorization: "Bearer test-api-token" }), withoutQueue as FixtureEnv, createExecutionContext());
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: string; message: string; problems: string[] };
    expect(body.error).toBe("misconfigured");
    expect(body.problems).toEqual([expect.stringContaining('[[queues.producers]]\nbinding = "STATEMENT_QUEUE"\nqueue = "fixture-statement"')]);
    expect((await readStream("account", "opt-miss-1")).status).toBe(404);
  });

  it("still answers /health", async () => {
    expect((await runtime.fetch(new Request("https://runtime.test/health"), withoutQueue as FixtureEnv, createExecutionContext())).status).toBe(200);
  });
});
