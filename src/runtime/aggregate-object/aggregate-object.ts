import { DurableObject } from "cloudflare:workers";
import type { CommandOutcome, CommandRequest, CurrentState, CurrentStateReader, StateReadRequest, StreamPage, StreamReadRequest } from "../aggregate-protocol/index.js";
import type { EventStore } from "../event-store/index.js";
import type { QueueSender } from "../outbox/index.js";
import { LiveSubscriptions } from "./live-subscriptions.js";
import { StreamHost, type AggregateObjectOptions } from "./stream-host.js";
import type { WakeStats } from "./stream-loader.js";

/**
 * Test seams, keyed by symbols: Durable Object RPC reaches only string-named methods, so these
 * can be called in-process (`runInDurableObject`) and never by a stub in production.
 */
export const useQueueSender: unique symbol = Symbol("edge-cqrs.useQueueSender");
export const flushOutbox: unique symbol = Symbol("edge-cqrs.flushOutbox");
export const useCurrentStateReader: unique symbol = Symbol("edge-cqrs.useCurrentStateReader");

/**
 * Builds the Durable Object class that hosts every aggregate instance, one object per
 * `"<aggregate>/<id>"`. Export the result from the Worker's entry module under the class name
 * wrangler.toml declares. The class is a shell over {@link StreamHost}, which does the work.
 */
export function createAggregateObjectClass<E extends object>(options: AggregateObjectOptions): AggregateObjectClass<E> {
  return class AggregateObject extends DurableObject<E> implements AggregateObjectMembers {
    private readonly host: StreamHost;

    constructor(ctx: DurableObjectState, env: E) {
      super(ctx, env);
      this.host = new StreamHost(ctx, env, options);
    }

    get store(): EventStore {
      return this.host.store;
    }

    get lastWake(): WakeStats | undefined {
      return this.host.lastWake;
    }

    get lastFold(): WakeStats | undefined {
      return this.host.lastFold;
    }

    execute(request: CommandRequest): Promise<CommandOutcome> {
      return this.host.execute(request);
    }

    async readStream(request: StreamReadRequest): Promise<StreamPage | null> {
      return this.host.readStream(request);
    }

    async readState(request: StateReadRequest): Promise<CurrentState> {
      return this.host.readState(request);
    }

    override async fetch(request: Request): Promise<Response> {
      return this.host.openLive(request);
    }

    override webSocketMessage(): void {
      // Live subscriptions only listen; anything a client sends is ignored.
    }

    override webSocketClose(ws: WebSocket, code: number, reason: string): void {
      LiveSubscriptions.close(ws, code, reason);
    }

    override alarm(): Promise<void> {
      return this.host.alarm();
    }

    [useQueueSender](sender: QueueSender, sendTimeoutMs?: number): void {
      this.host.useQueueSender(sender, sendTimeoutMs);
    }

    [flushOutbox](): Promise<void> {
      return this.host.flushOutbox();
    }

    [useCurrentStateReader](wrap: (reader: CurrentStateReader) => CurrentStateReader): void {
      this.host.useCurrentStateReader(wrap);
    }
  };
}

/** What an aggregate object offers: its RPC methods, and what tests reach inside it. */
export interface AggregateObjectMembers {
  readonly store: EventStore;
  /** Set on the first load after a wake; tests read it to prove wake-up cost is bounded. */
  readonly lastWake: WakeStats | undefined;
  /** What the last `asOf` read folded; tests read it to prove an old `asOf` is bounded. */
  readonly lastFold: WakeStats | undefined;
  execute(request: CommandRequest): Promise<CommandOutcome>;
  readStream(request: StreamReadRequest): Promise<StreamPage | null>;
  /** The stream's current state (its `initialState()` at version 0 when never written). */
  readState(request: StateReadRequest): Promise<CurrentState>;
  fetch(request: Request): Promise<Response>;
  alarm(): Promise<void>;
  /** Replaces the queue producer: the fault-injection seam for tests of the outbox. */
  [useQueueSender](sender: QueueSender, sendTimeoutMs?: number): void;
  /** Sends pending events now and writes the cursors, as the alarm does. */
  [flushOutbox](): Promise<void>;
  /** Wraps how preconditions read other aggregates: the seam for tests that open the race window on purpose. */
  [useCurrentStateReader](wrap: (reader: CurrentStateReader) => CurrentStateReader): void;
}

/** The instance type of the generated class, for typing stubs. */
export type AggregateObjectInstance = DurableObject & AggregateObjectMembers;

/** The generated class: what a Worker's entry module exports under the name wrangler.toml declares. */
export type AggregateObjectClass<E> = new (ctx: DurableObjectState, env: E) => DurableObject<E> & AggregateObjectMembers;
