import type { AnyAggregate } from "../aggregate";
import { createAggregateObjectClass } from "../aggregate-object";
import { createHttpApp, type QueryRoute } from "../http";
import type { OutboxRoute } from "../outbox";
import type { ProcessManager } from "../process-manager";
import type { Projection } from "../projection";
import { createQueueHandler } from "../projector";
import { assertDistinctCloudEvents } from "../publisher";
import type { Application } from "./application";
import { assertBindings } from "./assert-bindings";


/**
 * Composes an application into what a Worker exports: the aggregate Durable Object class and
 * the `fetch` and `queue` handlers.
 *
 * @example
 * const runtime = createRuntime<Env>(application);
 * export class AggregateObject extends runtime.AggregateObject {}
 * export default { fetch: runtime.fetch, queue: runtime.queue } satisfies ExportedHandler<Env>;
 */
export function createRuntime<E extends object>(app: Application<E>) {
  const aggregates = new Map<string, AnyAggregate>();
  for (const aggregate of app.aggregates) {
    if (aggregates.has(aggregate.name)) throw new Error(`two aggregates are named ${aggregate.name}`);
    aggregates.set(aggregate.name, aggregate);
  }
  const subscribers = [...(app.projections ?? []), ...(app.processManagers ?? [])];
  const publishers = app.publishers ?? [];
  assertDistinctCloudEvents(publishers);
  for (const s of [...subscribers, ...publishers]) {
    const unknown = s.aggregates.filter((name) => !aggregates.has(name));
    if (unknown.length > 0) throw new Error(`${s.name} follows unregistered aggregates: ${unknown.join(", ")}`);
  }
  const routes = new Map<string, OutboxRoute[]>(
    [...aggregates.keys()].map((name) => [
      name,
      [...subscribers, ...publishers].filter((s) => s.aggregates.includes(name)).map((s) => ({ queue: s.queue.name, binding: s.queue.binding })),
    ]),
  );
  const http = createHttpApp<E>({ title: app.title, version: app.version, aggregates, queries: app.queries ?? [], subscribers });
  const queue = createQueueHandler([...subscribers, ...publishers]);
  const AggregateObject = createAggregateObjectClass<E>({ aggregates, routesFor: (name) => routes.get(name) ?? [] });

  return {
    AggregateObject,
    http,
    fetch(request: Request, env: E, ctx: ExecutionContext): Response | Promise<Response> {
      assertBindings(env, subscribers);
      return http.fetch(request, env, ctx);
    },
    async queue(batch: MessageBatch<unknown>, env: E, _ctx?: ExecutionContext): Promise<void> {
      // The queue handler checks the bindings of the subscriber that owns the batch itself, so a
      // Worker deployed for one projector needs only that projector's bindings.
      await queue(batch, env);
    },
  };
}
