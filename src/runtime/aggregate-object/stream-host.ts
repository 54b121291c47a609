import type { AnyAggregate } from "../aggregate/index.js";
import {
  LIVE_AGGREGATE_PARAM,
  LIVE_FROM_PARAM,
  LIVE_ID_PARAM,
  type CommandOutcome,
  type CommandRequest,
  type CurrentState,
  type CurrentStateReader,
  type StateReadRequest,
  type StreamPage,
  type StreamReadRequest,
} from "../aggregate-protocol/index.js";
import { AlarmScheduler } from "../durable-core/index.js";
import type { ErrorBody } from "../errors/index.js";
import { EventStore } from "../event-store/index.js";
import { newId } from "../ids/index.js";
import { producerBlocks, type Manifest } from "../manifest/index.js";
import { adoptTrace, reportCommand, reportOutboxParked, reportOutboxRetry, writeLog, type CommandEnd, type Metrics, type OutboxSend, type TraceContext } from "../observability/index.js";
import { bindingQueueSender, OutboxDispatcher, type OutboxRoute, type QueueSender } from "../outbox/index.js";
import type { RuntimeContext } from "../runtime-context/index.js";
import { handleCommand, refused, relatedReadsOf, type CommandCommit } from "./command-handler.js";
import { envelopeOf } from "./envelope-of.js";
import { Housekeeping } from "./housekeeping.js";
import { LiveSubscriptions, MAX_LIVE_SUBSCRIBERS, type ReplayPageReader } from "./live-subscriptions.js";
import { requestHash } from "./request-hash.js";
import { loadStream, stateAt, type LoadedStream, type WakeStats } from "./stream-loader.js";

/** A refused live subscriber may try again after this many seconds (`Retry-After`). */
const LIVE_RETRY_AFTER_SECONDS = 30;

/** What the aggregate object needs to know about the application it hosts. */
export interface AggregateObjectOptions {
  readonly aggregates: ReadonlyMap<string, AnyAggregate>;
  /** The queues every event of an aggregate is fanned out to. */
  routesFor(aggregate: string): readonly OutboxRoute[];
  /** What the application needs from the Worker: the blocks a refused command names come from it. */
  readonly manifest: Manifest;
  /** The runtime's settings and memory: where metrics go, the log sample rate, the runtime tables parked events are reported to. */
  readonly context: RuntimeContext;
  /**
   * Reaches other aggregates' objects, for commands with preconditions (the runtime passes its
   * aggregate client). Without it, a command whose preconditions read another stream fails.
   */
  readonly currentStates?: (env: object) => CurrentStateReader;
}

/** The stream this object hosts, in memory, and the outbox that fans it out. */
interface HostedStream {
  stream: LoadedStream;
  readonly routes: readonly OutboxRoute[];
  readonly dispatcher: OutboxDispatcher;
}

/**
 * Everything one aggregate object does, behind its Durable Object shell: it hosts one stream
 * (`"<aggregate>/<id>"`), runs its commands through `handleCommand` and commits them, fans its
 * events out through the outbox, serves reads and live subscriptions, and shares the object's
 * one alarm between the outbox and the housekeeping.
 */
export class StreamHost {
  readonly store: EventStore;
  /** Set on the first load after a wake; tests read it to prove wake-up cost is bounded. */
  lastWake: WakeStats | undefined;
  /** What the last `asOf` read folded; tests read it to prove an old `asOf` is bounded. */
  lastFold: WakeStats | undefined;
  private hosted: HostedStream | undefined;
  private sender: QueueSender;
  private sendTimeoutMs: number | undefined;
  private readonly live: LiveSubscriptions;
  private readonly scheduler: AlarmScheduler;
  private readonly housekeeping: Housekeeping;
  private readonly metrics: Metrics;
  private wrapReader: (reader: CurrentStateReader) => CurrentStateReader = (reader) => reader;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: object,
    private readonly options: AggregateObjectOptions,
  ) {
    this.metrics = options.context.metrics.of(env);
    this.store = new EventStore(ctx.storage.sql, (work) => ctx.storage.transactionSync(work));
    this.sender = bindingQueueSender(env);
    this.live = new LiveSubscriptions(ctx);
    this.scheduler = new AlarmScheduler(ctx.storage);
    this.housekeeping = new Housekeeping({ store: this.store, env, tables: options.context.tables, hosted: () => this.hosted });
    const hosted = this.storedStream();
    if (!hosted) return;
    // Resume a fan-out that an eviction or crash interrupted, without waiting for the alarm.
    if (!hosted.dispatcher.isCaughtUp()) void hosted.dispatcher.dispatch();
    this.live.resume(this.replayReader(hosted));
  }

  /**
   * Runs one command and writes its one `command` log line and data point. The command keeps the
   * trace it came with, or starts one, and its events carry it on.
   */
  async execute(request: CommandRequest): Promise<CommandOutcome> {
    // The Workers clock moves only across I/O, so this measures the time spent waiting on it.
    const started = Date.now();
    const trace = adoptTrace(request.traceparent);
    const traced: CommandRequest = { ...request, traceparent: trace.traceparent };
    let outcome: CommandOutcome;
    try {
      outcome = await this.decideAndCommit(traced);
    } catch (thrown) {
      this.report(traced, trace, { thrown }, started);
      throw thrown;
    }
    this.report(traced, trace, { outcome }, started);
    return outcome;
  }

  /** The command's one `command` line and data point. */
  private report(request: CommandRequest, trace: TraceContext, end: CommandEnd, started: number): void {
    reportCommand({ metrics: this.metrics, request, trace, end, durationMs: Date.now() - started, logSampleRate: this.options.context.logSampleRate });
  }

  /** Reads the stream's events from `from`, and optionally the state folded up to `asOf`. */
  readStream(request: StreamReadRequest): StreamPage | null {
    const aggregate = this.options.aggregates.get(request.aggregate);
    if (!aggregate) throw new Error(`no aggregate named ${request.aggregate}`);
    const { stream } = this.host(aggregate, request.id);
    if (stream.version === 0) return null;
    const events = this.store.events.eventsAfter(request.from - 1, undefined, request.limit).map((e) => envelopeOf(stream, e));
    if (request.asOf === undefined) return { streamId: stream.streamId, version: stream.version, events };
    const asOf = Math.min(request.asOf, stream.version);
    const { state, stats } = stateAt(this.store, stream, asOf);
    this.lastFold = stats;
    return { streamId: stream.streamId, version: stream.version, events, state: { version: asOf, value: state } };
  }

  /** The stream's current state, snapshot-aware; a never-written stream is version 0 at `initialState()`. */
  readState(request: StateReadRequest): CurrentState {
    const aggregate = this.options.aggregates.get(request.aggregate);
    if (!aggregate) throw new Error(`no aggregate named ${request.aggregate}`);
    const { stream } = this.host(aggregate, request.id);
    return { streamId: stream.streamId, version: stream.version, state: stream.state };
  }

  /**
   * A live subscription (`GET /streams/:aggregate/:id/live`): the stored events after `from`,
   * page by page, then every new one, one envelope per message. Hibernatable: an idle object
   * with open sockets is evicted from memory without closing them.
   */
  openLive(request: Request): Response {
    const url = new URL(request.url);
    const aggregate = this.options.aggregates.get(url.searchParams.get(LIVE_AGGREGATE_PARAM) ?? "");
    const id = url.searchParams.get(LIVE_ID_PARAM) ?? "";
    const from = Number(url.searchParams.get(LIVE_FROM_PARAM) ?? "0");
    if (!aggregate || !Number.isSafeInteger(from) || from < 0 || request.headers.get("Upgrade") !== "websocket") {
      return new Response("expected a live-stream upgrade from the runtime's router", { status: 400 });
    }
    if (this.live.full) {
      const body: ErrorBody = {
        error: "too_many_subscribers",
        message: `stream ${aggregate.name}/${id} already has ${MAX_LIVE_SUBSCRIBERS} live subscribers; read GET /streams instead or retry later`,
        limit: MAX_LIVE_SUBSCRIBERS,
      };
      return Response.json(body, { status: 429, headers: { "Retry-After": String(LIVE_RETRY_AFTER_SECONDS) } });
    }
    const hosted = this.host(aggregate, id);
    return new Response(null, { status: 101, webSocket: this.live.open(from, this.replayReader(hosted)) });
  }

  /** The alarm: runs whichever of the outbox and the housekeeping is due, then re-arms for the rest. */
  async alarm(): Promise<void> {
    if (!this.storedStream()) return;
    await this.scheduler.fire();
  }

  /** Replaces the queue producer (and optionally the send timeout): the fault-injection seam for tests of the outbox. */
  useQueueSender(sender: QueueSender, sendTimeoutMs?: number): void {
    this.sender = sender;
    this.sendTimeoutMs = sendTimeoutMs;
    if (this.hosted) {
      this.hosted.dispatcher.send = sender;
      if (sendTimeoutMs !== undefined) this.hosted.dispatcher.sendTimeoutMs = sendTimeoutMs;
    }
  }

  /** Wraps the reader of other aggregates' state: the seam for tests that open the race window on purpose. */
  useCurrentStateReader(wrap: (reader: CurrentStateReader) => CurrentStateReader): void {
    this.wrapReader = wrap;
  }

  /** Sends pending events now and writes the cursors, as the alarm does; resolves when sent or when a retry alarm is set. */
  async flushOutbox(): Promise<void> {
    const hosted = this.storedStream();
    if (!hosted) return;
    await hosted.dispatcher.dispatch(true);
    hosted.dispatcher.saveCursors();
  }

  /** The command pipeline: validate, deduplicate, check the version, decide, commit, fan out. */
  private async decideAndCommit(request: CommandRequest): Promise<CommandOutcome> {
    const aggregate = this.options.aggregates.get(request.aggregate);
    if (!aggregate) return refused(404, "unknown_aggregate", `no aggregate named ${request.aggregate}`).outcome;
    const hash = await requestHash(request.command, request.payload);
    const relatedStates = await this.readRelated(aggregate, request);
    // Nothing below awaits: the decision and its commit run in one turn of the event loop, so
    // commands on this object never interleave and need no lock.
    const hosted = this.host(aggregate, request.id);
    // A producer missing from wrangler.toml would leave the events stuck in the outbox: refuse
    // the command instead, naming the block to add, and store nothing.
    const unbound = hosted.routes.filter((route) => !isQueueProducer(this.env, route.binding));
    if (unbound.length > 0) {
      const blocks = producerBlocks(this.options.manifest, unbound.map((r) => r.binding));
      writeLog("error", {
        event: "config.producers-missing",
        msg: `${hosted.stream.streamId}: queue producer bindings missing from wrangler.toml:\n${blocks.join("\n")}`,
        aggregate: aggregate.name,
        streamId: hosted.stream.streamId,
        bindings: unbound.map((r) => r.binding),
        problems: blocks,
      });
      return refused(500, "misconfigured", `queue producer bindings missing from wrangler.toml: ${unbound.map((r) => r.binding).join(", ")}`, {
        problems: blocks,
      }).outcome;
    }
    const now = new Date().toISOString();
    const decision = handleCommand({
      aggregate,
      stream: hosted.stream,
      request,
      requestHash: hash,
      previous: this.store.commands.find(request.commandId),
      now,
      newId,
      relatedStates,
    });
    if (decision.kind === "accepted") this.commit(hosted, request.commandId, decision.commit, now);
    return decision.outcome;
  }

  /**
   * Reads the current state of every other stream the command's preconditions name, from their
   * own objects, in parallel. Before the command's turn, and so unlocked: those streams may move
   * on before this command commits (docs/guide.md, "Rules that span aggregates"). Another command
   * of this stream may run meanwhile, which is why the turn after this reads its own state afresh.
   * A replay of a recorded command reads nothing.
   */
  private async readRelated(aggregate: AnyAggregate, request: CommandRequest): Promise<ReadonlyMap<string, unknown> | undefined> {
    const reads = relatedReadsOf(aggregate, request);
    if (reads.length === 0 || this.store.commands.find(request.commandId)) return undefined;
    if (!this.options.currentStates) throw new Error(`${aggregate.name}.${request.command} has preconditions, but the object was given no way to read other aggregates`);
    const reader = this.wrapReader(this.options.currentStates(this.env));
    const read = await Promise.all(reads.map((r) => reader.readState(r)));
    return new Map(read.map((r) => [r.streamId, r.state]));
  }

  /** Writes an accepted command in one transaction, then fans it out; still in the command's turn. */
  private commit(hosted: HostedStream, commandId: string, commit: CommandCommit, now: string): void {
    const { stream } = hosted;
    try {
      this.ctx.storage.transactionSync(() => {
        this.store.events.append(stream.streamId, commit.events);
        this.store.commands.record(commandId, commit.record, now);
        if (commit.snapshot) this.store.snapshots.save(commit.version, commit.state, stream.aggregate.stateSchema, commit.snapshot.sparseEvery);
        // The outbox's cursors moved by earlier sends ride in this commit instead of one of their own.
        hosted.dispatcher.writeCursors();
      });
      hosted.dispatcher.cursorsWritten();
      hosted.dispatcher.committed(commit.envelopes, commit.envelopeJson);
      this.housekeeping.recorded(now);
    } catch (error) {
      // A first append that rolled back took the schema it created with it.
      this.store.recheck();
      throw error;
    }
    // The alarm guards what was just written, so it is set in the same turn as the commit.
    if (commit.events.length > 0 && hosted.routes.length > 0) {
      hosted.dispatcher.armSafetyAlarm();
    } else {
      // Nothing to send, but the command log still needs its pruning alarm.
      const due = this.housekeeping.nextDue();
      if (due !== undefined) this.scheduler.ensureBy(due);
    }
    if (commit.events.length === 0) return;
    hosted.stream = { ...stream, version: commit.version, state: commit.state };
    if (this.live.active) {
      const messages = commit.events.map((e, i) => ({ version: e.version, text: commit.envelopeJson[i]! }));
      // The command's answer never waits on its subscribers: they get the events in a later turn.
      setTimeout(() => this.live.broadcast(messages), 0);
    }
    void hosted.dispatcher.dispatch();
  }

  /** Reads replay pages for live subscribers as envelope JSON. */
  private replayReader(hosted: HostedStream): ReplayPageReader {
    return (after, limit) =>
      this.store.events.eventsAfter(after, undefined, limit).map((e) => ({ version: e.version, text: JSON.stringify(envelopeOf(hosted.stream, e)) }));
  }

  /** The stream this object already holds, hosted; undefined for an object never written. */
  private storedStream(): HostedStream | undefined {
    if (this.hosted) return this.hosted;
    const streamId = this.store.events.streamId();
    if (!streamId) return undefined;
    const slash = streamId.indexOf("/");
    const aggregate = this.options.aggregates.get(streamId.slice(0, slash));
    if (!aggregate) throw new Error(`stream ${streamId} belongs to no registered aggregate`);
    return this.host(aggregate, streamId.slice(slash + 1));
  }

  /** Loads the stream once per wake and wires its outbox. */
  private host(aggregate: AnyAggregate, id: string): HostedStream {
    if (this.hosted) {
      const { streamId } = this.hosted.stream;
      if (streamId !== `${aggregate.name}/${id}`) throw new Error(`object of ${streamId} was asked for ${aggregate.name}/${id}`);
      return this.hosted;
    }
    const { stream, stats } = loadStream(this.store, aggregate, id);
    this.lastWake = stats;
    const routes = this.options.routesFor(aggregate.name);
    const dispatcher = new OutboxDispatcher({
      store: this.store,
      scheduler: this.scheduler,
      routes,
      toEnvelope: (e) => envelopeOf(stream, e),
      send: this.sender,
      hooks: {
        onParked: (route, parked) => {
          this.housekeeping.parked();
          reportOutboxParked({ metrics: this.metrics, send: sendOf(stream, route), version: parked.version, attempts: parked.attempts, error: parked.error });
          void this.housekeeping.report(stream, routes, parked);
        },
        onRetry: (route, attempts, delayMs, error) => reportOutboxRetry({ metrics: this.metrics, send: sendOf(stream, route), attempts, delayMs, error }),
      },
    });
    if (this.sendTimeoutMs !== undefined) dispatcher.sendTimeoutMs = this.sendTimeoutMs;
    // The outbox first: its sends are what the object's alarm exists for.
    this.scheduler.register(dispatcher);
    this.scheduler.register(this.housekeeping);
    this.hosted = { stream, routes, dispatcher };
    return this.hosted;
  }
}

function isQueueProducer(env: unknown, binding: string): boolean {
  return typeof (env as Record<string, { sendBatch?: unknown } | undefined>)[binding]?.sendBatch === "function";
}

function sendOf(stream: LoadedStream, route: OutboxRoute): OutboxSend {
  return { aggregate: stream.aggregate.name, streamId: stream.streamId, queue: route.queue };
}
