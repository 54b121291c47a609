import { application } from "./app";
import { createRuntime } from "edge-cqrs";

const runtime = createRuntime<Env>(application);

/** Every aggregate instance, one object per "<aggregate>/<id>" (wrangler.toml: AGGREGATES). */
export class AggregateObject extends runtime.AggregateObject {}

/** Every instance of a stateful process manager, one object per "<manager>/<key>" (wrangler.toml: PROCESS_MANAGERS). */
export class ProcessManagerObject extends runtime.ProcessManagerObject {}

export default {
  fetch: runtime.fetch,
  queue: runtime.queue,
  scheduled: runtime.scheduled,
} satisfies ExportedHandler<Env>;
