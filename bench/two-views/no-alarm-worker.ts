// The sampled-out application (quiet-worker.ts) with every `setAlarm` of its objects dropped: the
// outbox's safety alarm, its retries and the command log's pruning never reach the alarm scheduler.
// NOT a valid configuration: an object that dies between a commit and its sends would never send
// those events. It exists only so `npm run bench -- --only=new-objects` can show, in the same run,
// what the safety alarm costs an object's first command. Never deployed.
import { createRuntime } from "edge-cqrs";
import { twoViews, type TwoViewsEnv } from "./application";

const runtime = createRuntime<TwoViewsEnv>(twoViews, { logs: { sampleRate: 0 } });

export class AggregateObject extends runtime.AggregateObject {
  constructor(ctx: DurableObjectState, env: TwoViewsEnv) {
    // The base class accepts only the platform's own state object, so its storage is changed in
    // place: an own `setAlarm` that schedules nothing shadows the platform's.
    Object.defineProperty(ctx.storage, "setAlarm", { value: async () => {} });
    super(ctx, env);
  }
}

export default { fetch: runtime.fetch, queue: runtime.queue } satisfies ExportedHandler<TwoViewsEnv>;
