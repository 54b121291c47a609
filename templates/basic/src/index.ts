import { createRuntime } from "edge-cqrs";
import { application } from "./app";

const runtime = createRuntime<Env>(application);

/** Every aggregate instance, one object per "<aggregate>/<id>" (wrangler.toml: AGGREGATES). */
export class AggregateObject extends runtime.AggregateObject {}

export default {
  fetch: runtime.fetch,
  queue: runtime.queue,
  scheduled: runtime.scheduled,
} satisfies ExportedHandler<Env>;
