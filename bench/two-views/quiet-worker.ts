// The same application with its info log lines sampled out (`logs.sampleRate: 0`): how much of a
// command's local cost is the log line, which `wrangler dev`'s inspector receives from every
// console call. Started with bench/two-views/wrangler.toml's bindings. Never deployed.
import { createRuntime } from "edge-cqrs";
import { twoViews, type TwoViewsEnv } from "./application";

const runtime = createRuntime<TwoViewsEnv>(twoViews, { logs: { sampleRate: 0 } });

export class AggregateObject extends runtime.AggregateObject {}

export default { fetch: runtime.fetch, queue: runtime.queue } satisfies ExportedHandler<TwoViewsEnv>;
