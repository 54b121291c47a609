import type {
  AggregateObjectInstance,
  CommandOutcome,
  CommandRequest,
  CurrentState,
  CurrentStateReader,
  StateReadRequest,
  StreamPage,
  StreamReadRequest,
} from "../aggregate-object/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import { streamIdOf } from "../ids/index.js";
import { DEFAULT_AGGREGATES_BINDING } from "../manifest/index.js";

/** Largest page one stream read returns: bounds the RPC payload and the object's work. */
export const MAX_STREAM_PAGE = 1000;

/**
 * Talks to aggregate objects by name. The HTTP routes, the process-manager runner and the
 * projectors' gap healing all go through it, so there is one place that knows how to reach one.
 */
export class AggregateClient implements CurrentStateReader {
  constructor(private readonly namespace: DurableObjectNamespace<AggregateObjectInstance>) {}

  /** Finds the namespace binding in `env`, failing loudly when wrangler.toml lacks it. */
  static fromEnv(env: object, binding: string = DEFAULT_AGGREGATES_BINDING): AggregateClient {
    const namespace = (env as Record<string, unknown>)[binding];
    if (!namespace || typeof (namespace as DurableObjectNamespace).idFromName !== "function") {
      throw new Error(`Durable Object binding ${binding} is missing: declare it in wrangler.toml`);
    }
    return new AggregateClient(namespace as DurableObjectNamespace<AggregateObjectInstance>);
  }

  stub(aggregate: string, id: string): DurableObjectStub<AggregateObjectInstance> {
    return this.namespace.get(this.namespace.idFromName(streamIdOf(aggregate, id)));
  }

  execute(request: CommandRequest): Promise<CommandOutcome> {
    return this.stub(request.aggregate, request.id).execute(request) as Promise<CommandOutcome>;
  }

  readStream(request: StreamReadRequest): Promise<StreamPage | null> {
    return this.stub(request.aggregate, request.id).readStream(request) as Promise<StreamPage | null>;
  }

  /** The stream's current state, snapshot-aware: what a precondition of another aggregate's command reads. */
  readState(request: StateReadRequest): Promise<CurrentState> {
    return this.stub(request.aggregate, request.id).readState(request) as Promise<CurrentState>;
  }

  /** Events `from..to` inclusive, paging through the object as needed. */
  async readRange(aggregate: string, id: string, from: number, to: number): Promise<EventEnvelope[]> {
    const events: EventEnvelope[] = [];
    for (let next = from; next <= to; ) {
      const page = await this.readStream({ aggregate, id, from: next, limit: Math.min(MAX_STREAM_PAGE, to - next + 1) });
      const got = page?.events ?? [];
      if (got.length === 0) break;
      events.push(...got);
      next = got[got.length - 1]!.version + 1;
    }
    return events;
  }
}
