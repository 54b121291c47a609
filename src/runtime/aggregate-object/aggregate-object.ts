import { DurableObject } from "cloudflare:workers";
import type { z } from "zod";
import { CommandRejected, fold, upcast, type AnyAggregate, type CommandMetadata } from "../aggregate";
import { encodeConsistencyToken } from "../consistency";
import type { EventEnvelope } from "../envelope";
import { issuesOf, type ErrorBody, type ErrorCode } from "../errors";
import { EventStore, type StoredEvent } from "../event-store";
import { newId, streamIdOf } from "../ids";
import { bindingQueueSender, byteLength, OutboxDispatcher, type OutboxRoute, type QueueSender } from "../outbox";
import {
  LIVE_AGGREGATE_PARAM,
  LIVE_FROM_PARAM,
  LIVE_ID_PARAM,
  type CommandOutcome,
  type CommandRequest,
  type CommandSuccess,
  type StreamPage,
  type StreamReadRequest,
} from "../aggregate-protocol";
import { LiveSubscriptions } from "./live-subscriptions";
import { requestHash } from "./request-hash";

/** Stored events are replayed to a new live subscriber this many rows at a time. */
const LIVE_REPLAY_PAGE = 1000;

/** A queue message carries at most 128 KB; an event that could not travel is refused at the command. */
export const MAX_EVENT_BYTES = 120 * 1024;

// Metadata keys the runtime owns; caller-supplied metadata cannot override them.
const RESERVED_METADATA = ["commandId", "correlationId", "causationId", "recordedAt"] as const;

/** What the aggregate object needs to know about the application it hosts. */
export interface AggregateObjectOptions {
  readonly aggregates: ReadonlyMap<string, AnyAggregate>;
  /** The queues every event of an aggregate is fanned out to. */
  routesFor(aggregate: string): readonly OutboxRoute[];
}

/** How the object last woke: which snapshot it started from and how many rows it read after it. */
export interface WakeStats {
  readonly snapshotVersion: number;
  readonly eventsFolded: number;
  readonly rowsRead: number;
}

interface LoadedStream {
  readonly aggregate: AnyAggregate;
  readonly streamId: string;
  readonly aggregateId: string;
  readonly dispatcher: OutboxDispatcher;
  version: number;
  state: unknown;
}

/**
 * Builds the Durable Object class that hosts every aggregate instance, one object per
 * `"<aggregate>/<id>"`. Export the result from the Worker's entry module under the class name
 * wrangler.toml declares.
 */
export function createAggregateObjectClass<E extends object>(options: AggregateObjectOptions) {
  return class AggregateObject extends DurableObject<E> {
    readonly store: EventStore;
    /** Set on the first load after a wake; tests read it to prove wake-up cost is bounded. */
    lastWake: WakeStats | undefined;
    private loaded: LoadedStream | undefined;
    private sender: QueueSender;
    private readonly live: LiveSubscriptions;

    constructor(ctx: DurableObjectState, env: E) {
      super(ctx, env);
      this.store = new EventStore(ctx.storage.sql);
      this.sender = bindingQueueSender(env);
      this.live = new LiveSubscriptions(ctx);
      const stream = this.storedStream();
      // Resume a fan-out that an eviction or crash interrupted, without waiting for the alarm.
      if (stream && !stream.dispatcher.isCaughtUp()) void stream.dispatcher.dispatch();
    }

    /** Runs one command: validate, deduplicate, check the version, decide, commit, fan out. */
    async execute(request: CommandRequest): Promise<CommandOutcome> {
      const aggregate = options.aggregates.get(request.aggregate);
      if (!aggregate) return failure(404, "unknown_aggregate", `no aggregate named ${request.aggregate}`);
      const schema = aggregate.commands[request.command];
      if (!schema) return failure(404, "unknown_command", `aggregate ${aggregate.name} has no command ${request.command}`);
      const hash = await requestHash(request.command, request.payload);
      // Nothing below awaits: the decision and its commit run in one turn of the event loop, so
      // commands on this object never interleave and need no lock.
      return this.decideAndCommit(aggregate, schema, request, hash);
    }

    /** Reads the stream's events from `from`, and optionally the state folded up to `asOf`. */
    async readStream(request: StreamReadRequest): Promise<StreamPage | null> {
      const aggregate = options.aggregates.get(request.aggregate);
      if (!aggregate) throw new Error(`no aggregate named ${request.aggregate}`);
      const stream = this.load(aggregate, request.id);
      if (stream.version === 0) return null;
      const events = this.store.eventsAfter(request.from - 1, undefined, request.limit).map((e) => this.envelope(stream, e));
      if (request.asOf === undefined) return { streamId: stream.streamId, version: stream.version, events };
      const asOf = Math.min(request.asOf, stream.version);
      return { streamId: stream.streamId, version: stream.version, events, state: { version: asOf, value: this.stateAt(stream, asOf) } };
    }

    /**
     * A live subscription (`GET /streams/:aggregate/:id/live`): the stored events after `from`,
     * then every new one, one envelope per message. Stored events are sent and the socket is
     * accepted in the same synchronous turn, so no append can slip in between. Hibernatable: an
     * idle object with open sockets is evicted from memory without closing them.
     */
    override async fetch(request: Request): Promise<Response> {
      const url = new URL(request.url);
      const aggregate = options.aggregates.get(url.searchParams.get(LIVE_AGGREGATE_PARAM) ?? "");
      const id = url.searchParams.get(LIVE_ID_PARAM) ?? "";
      const from = Number(url.searchParams.get(LIVE_FROM_PARAM) ?? "0");
      if (!aggregate || !Number.isSafeInteger(from) || from < 0 || request.headers.get("Upgrade") !== "websocket") {
        return new Response("expected a live-stream upgrade from the runtime's router", { status: 400 });
      }
      const stream = this.load(aggregate, id);
      const client = this.live.open(from, this.storedAfter(stream, from));
      return new Response(null, { status: 101, webSocket: client });
    }

    override webSocketMessage(): void {
      // Live subscriptions only listen; anything a client sends is ignored.
    }

    override webSocketClose(ws: WebSocket, code: number, reason: string): void {
      LiveSubscriptions.close(ws, code, reason);
    }

    override async alarm(): Promise<void> {
      await this.storedStream()?.dispatcher.onAlarm();
    }

    /** Replaces the queue producer: the fault-injection seam for tests of the outbox. */
    useQueueSender(sender: QueueSender): void {
      this.sender = sender;
      if (this.loaded) this.loaded.dispatcher.send = sender;
    }

    /** Sends pending events now; resolves when sent or when a retry alarm is set. */
    flushOutbox(): Promise<void> {
      return this.storedStream()?.dispatcher.dispatch() ?? Promise.resolve();
    }

    private decideAndCommit(aggregate: AnyAggregate, schema: z.ZodType, request: CommandRequest, hash: string): CommandOutcome {
      const parsed = schema.safeParse(request.payload);
      if (!parsed.success) {
        return failure(400, "invalid_command", `payload of ${aggregate.name}.${request.command} is invalid`, {
          issues: issuesOf(parsed.error),
        });
      }
      const stream = this.load(aggregate, request.id);
      const previous = this.store.command(request.commandId);
      if (previous) {
        if (previous.requestHash !== hash) {
          return failure(422, "idempotency_key_reuse", `Idempotency-Key ${request.commandId} was used for a different request`);
        }
        return { ok: true, replayed: true, body: JSON.parse(previous.response) as CommandSuccess };
      }
      if (request.expectedVersion !== undefined && request.expectedVersion !== stream.version) {
        return failure(409, "version_conflict", `expected version ${request.expectedVersion}, the stream is at ${stream.version}`, {
          expected: request.expectedVersion,
          actual: stream.version,
        });
      }
      const now = new Date().toISOString();
      const metadata: CommandMetadata = {
        commandId: request.commandId,
        correlationId: request.correlationId ?? request.commandId,
        causationId: request.causationId ?? request.commandId,
        now,
      };
      let decided: ReturnType<AnyAggregate["decide"]>;
      try {
        decided = aggregate.decide({ type: request.command, data: parsed.data, metadata }, stream.state);
      } catch (error) {
        if (!(error instanceof CommandRejected)) throw error;
        return failure(422, "rejected", error.message, { reason: error.reason });
      }
      const { commandId, correlationId, causationId } = metadata;
      const eventMetadata = { ...withoutReserved(request.metadata), commandId, correlationId, causationId, recordedAt: now };
      let state = stream.state;
      const events: StoredEvent[] = decided.map((event, index) => {
        const eventSchema = aggregate.events[event.type];
        if (!eventSchema) throw new Error(`${aggregate.name}.decide emitted unknown event type ${event.type}`);
        // A decider bug must surface as a 500 here, not as a poisoned stream later.
        const data: unknown = eventSchema.parse(event.data);
        state = aggregate.evolve(state, { type: event.type, data });
        return {
          version: stream.version + index + 1,
          eventId: newId(),
          type: event.type,
          schemaVersion: aggregate.schemaVersionOf(event.type),
          data,
          metadata: eventMetadata,
          recordedAt: now,
        };
      });
      // Serialised once: measured against the queue's limit here, sent to live subscribers below.
      const envelopes = events.map((e) => JSON.stringify(this.envelope(stream, e)));
      const oversized = events.find((_e, i) => byteLength(envelopes[i]!) > MAX_EVENT_BYTES);
      if (oversized) {
        return failure(413, "payload_too_large", `event ${oversized.type} would exceed ${MAX_EVENT_BYTES} bytes, more than a queue message carries`);
      }
      const version = stream.version + events.length;
      const body: CommandSuccess = {
        streamId: stream.streamId,
        version,
        events: events.map(({ eventId, type, version }) => ({ eventId, type, version })),
        token: encodeConsistencyToken([{ streamId: stream.streamId, version }]),
      };
      const snapshotDue = Math.floor(version / aggregate.snapshotEvery) > Math.floor(stream.version / aggregate.snapshotEvery);
      this.ctx.storage.transactionSync(() => {
        this.store.append(stream.streamId, events);
        this.store.recordCommand(request.commandId, { requestHash: hash, response: JSON.stringify(body) }, now);
        if (snapshotDue) this.store.saveSnapshot(version, state, aggregate.stateSchema);
      });
      if (events.length > 0) {
        stream.dispatcher.armSafetyAlarm();
        stream.version = version;
        stream.state = state;
        if (this.live.active) this.live.broadcast(events.map((e, i) => ({ version: e.version, text: envelopes[i]! })));
        void stream.dispatcher.dispatch();
      }
      return { ok: true, replayed: false, body };
    }

    /** The stored events after `from` as envelope JSON, paged so a long stream is never read whole. */
    private *storedAfter(stream: LoadedStream, from: number): Generator<string> {
      for (let after = from; ; ) {
        const page = this.store.eventsAfter(after, undefined, LIVE_REPLAY_PAGE);
        for (const event of page) yield JSON.stringify(this.envelope(stream, event));
        if (page.length < LIVE_REPLAY_PAGE) return;
        after = page[page.length - 1]!.version;
      }
    }

    /** The stream this object already holds, loaded; undefined for an object never written. */
    private storedStream(): LoadedStream | undefined {
      if (this.loaded) return this.loaded;
      const streamId = this.store.streamId();
      if (!streamId) return undefined;
      const slash = streamId.indexOf("/");
      const aggregate = options.aggregates.get(streamId.slice(0, slash));
      if (!aggregate) throw new Error(`stream ${streamId} belongs to no registered aggregate`);
      return this.load(aggregate, streamId.slice(slash + 1));
    }

    /** Rebuilds state from the newest usable snapshot plus the events after it, once per wake. */
    private load(aggregate: AnyAggregate, id: string): LoadedStream {
      const streamId = streamIdOf(aggregate.name, id);
      if (this.loaded) {
        if (this.loaded.streamId !== streamId) throw new Error(`object of ${this.loaded.streamId} was asked for ${streamId}`);
        return this.loaded;
      }
      const stored = this.store.streamId();
      if (stored !== undefined && stored !== streamId) throw new Error(`object of ${stored} was asked for ${streamId}`);
      const snapshot = this.store.snapshot(aggregate.stateSchema);
      const events = this.store.eventsAfter(snapshot?.version ?? 0);
      this.lastWake = { snapshotVersion: snapshot?.version ?? 0, eventsFolded: events.length, rowsRead: this.store.rowsRead };
      const partial = { aggregate, streamId, aggregateId: id };
      const state = fold(aggregate, snapshot?.state ?? aggregate.initialState(), events.map((e) => this.upcastEvent(aggregate, e)));
      const dispatcher = new OutboxDispatcher(this.store, this.ctx.storage, options.routesFor(aggregate.name), (e) => this.envelope(partial, e), this.sender);
      this.loaded = { ...partial, dispatcher, version: events.at(-1)?.version ?? snapshot?.version ?? 0, state };
      return this.loaded;
    }

    private stateAt(stream: LoadedStream, version: number): unknown {
      if (version === stream.version) return stream.state;
      const snapshot = this.store.snapshot(stream.aggregate.stateSchema, version);
      const events = this.store.eventsAfter(snapshot?.version ?? 0, version);
      const initial = snapshot?.state ?? stream.aggregate.initialState();
      return fold(stream.aggregate, initial, events.map((e) => this.upcastEvent(stream.aggregate, e)));
    }

    private upcastEvent(aggregate: AnyAggregate, event: StoredEvent): { type: string; data: unknown } {
      return { type: event.type, data: upcast(aggregate, event.type, event.schemaVersion, event.data) };
    }

    /** The public envelope (DESIGN §5), with data brought up to the event's current schema. */
    private envelope(stream: Pick<LoadedStream, "aggregate" | "streamId" | "aggregateId">, event: StoredEvent): EventEnvelope {
      return {
        eventId: event.eventId,
        streamId: stream.streamId,
        aggregate: stream.aggregate.name,
        aggregateId: stream.aggregateId,
        version: event.version,
        type: event.type,
        schemaVersion: stream.aggregate.schemaVersionOf(event.type),
        data: upcast(stream.aggregate, event.type, event.schemaVersion, event.data),
        metadata: event.metadata,
      };
    }
  };
}

/** The instance type of the generated class, for typing stubs. */
export type AggregateObjectInstance = InstanceType<ReturnType<typeof createAggregateObjectClass>>;

function failure(status: 400 | 404 | 409 | 413 | 422, error: ErrorCode, message: string, details: Record<string, unknown> = {}): CommandOutcome {
  const body: ErrorBody = { ...details, error, message };
  return { ok: false, status, body };
}

function withoutReserved(metadata: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const copy = { ...metadata };
  for (const key of RESERVED_METADATA) delete copy[key];
  return copy;
}
