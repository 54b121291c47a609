// edge-cqrs with the bare pipeline's fan-out (application.ts), with the runtime's defaults: what
// the pipeline goals are measured on. Never deployed.
import { createRuntime } from "edge-cqrs";
import { twoViews, type TwoViewsEnv } from "./application";

const runtime = createRuntime<TwoViewsEnv>(twoViews);

export class AggregateObject extends runtime.AggregateObject {}

export default { fetch: runtime.fetch, queue: runtime.queue } satisfies ExportedHandler<TwoViewsEnv>;
