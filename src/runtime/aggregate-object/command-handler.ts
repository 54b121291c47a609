import type { z } from "zod";
import { CommandRejected, firstRefusal, internalCommandMessage, relatedStreamsOf, type AnyAggregate, type CommandMetadata, type RelatedStream } from "../aggregate/index.js";
import { INTERNAL_ACTOR, type CommandOutcome, type CommandRequest, type CommandSuccess } from "../aggregate-protocol/index.js";
import { isRuntimeActor } from "../auth/index.js";
import { encodeConsistencyToken } from "../consistency/index.js";
import { RESERVED_METADATA_KEYS, type EventEnvelope } from "../envelope/index.js";
import { issuesOf, type ErrorBody, type ErrorCode } from "../errors/index.js";
import type { CommandRecord, StoredEvent } from "../event-store/index.js";
import { streamIdOf } from "../ids/index.js";
import { byteLength } from "../outbox/index.js";
import { ownEntry } from "../own-entry/index.js";
import { envelopeOf } from "./envelope-of.js";
import type { LoadedStream } from "./stream-loader.js";

/** A queue message carries at most 128 KB; an event that could not travel is refused at the command. */
export const MAX_EVENT_BYTES = 120 * 1024;

/**
 * Older snapshots are kept one per this many snapshot intervals, so an `asOf` read folds at most
 * about `snapshotEvery × (SPARSE_SNAPSHOT_INTERVALS + 1)` events (about 1,100 with the default
 * 100), while a stream of N events keeps about N / 1,000 snapshots.
 */
export const SPARSE_SNAPSHOT_INTERVALS = 10;

/** Everything one command is decided on. Storage, the clock and the id source stay outside. */
export interface CommandInput {
  readonly aggregate: AnyAggregate;
  readonly stream: LoadedStream;
  readonly request: CommandRequest;
  /** Fingerprint of the command name and payload (see `requestHash`). */
  readonly requestHash: string;
  /** What the command log holds under the request's command id, if anything. */
  readonly previous: CommandRecord | undefined;
  /** ISO-8601 instant the command is received. */
  readonly now: string;
  readonly newId: () => string;
  /**
   * The current state of each other stream the command's preconditions read (see
   * {@link relatedReadsOf}), keyed by stream id. The command's own stream is never in it: a
   * precondition on it reads the state this input already holds.
   */
  readonly relatedStates?: ReadonlyMap<string, unknown>;
}

/** What to store for an accepted command; the object writes it in one transaction. */
export interface CommandCommit {
  readonly events: readonly StoredEvent[];
  /** Each event's envelope, in order: what the outbox sends without reading the events back. */
  readonly envelopes: readonly EventEnvelope[];
  /** The same envelopes as JSON: measured once, sent to live subscribers as is. */
  readonly envelopeJson: readonly string[];
  readonly record: CommandRecord;
  readonly version: number;
  readonly state: unknown;
  /** Set when a snapshot is due: the interval that decides which older snapshots are kept. */
  readonly snapshot: { readonly sparseEvery: number } | undefined;
}

/** The handler's answer: an outcome for the caller, and for an accepted command what to store. */
export type CommandDecision =
  | { readonly kind: "refused" | "replayed"; readonly outcome: CommandOutcome }
  | { readonly kind: "accepted"; readonly outcome: CommandOutcome; readonly commit: CommandCommit };

/**
 * The command pipeline as a pure function: validate, deduplicate, check the expected version,
 * decide, build and measure the events. No storage, no I/O; the Durable Object loads the stream
 * and the command record before, and commits what this returns.
 */
export function handleCommand(input: CommandInput): CommandDecision {
  const { aggregate, stream, request, previous } = input;
  const schema: z.ZodType | undefined = ownEntry(aggregate.commands, request.command);
  if (!schema) return refused(404, "unknown_command", `aggregate ${aggregate.name} has no command ${request.command}`);
  // The edge refuses these already; the aggregate holds the rule too, whatever path a request took.
  if (aggregate.isInternal(request.command) && !isRuntimeActor(request.actor ?? INTERNAL_ACTOR)) {
    return refused(403, "internal_command", internalCommandMessage(aggregate.name, request.command));
  }
  const parsed = schema.safeParse(request.payload);
  if (!parsed.success) {
    return refused(400, "invalid_command", `payload of ${aggregate.name}.${request.command} is invalid`, { issues: issuesOf(parsed.error) });
  }
  if (previous) {
    if (previous.requestHash !== input.requestHash) {
      return refused(422, "idempotency_key_reuse", `Idempotency-Key ${request.commandId} was used for a different request`);
    }
    return { kind: "replayed", outcome: { ok: true, replayed: true, body: JSON.parse(previous.response) as CommandSuccess } };
  }
  if (request.expectedVersion !== undefined && request.expectedVersion !== stream.version) {
    return refused(409, "version_conflict", `expected version ${request.expectedVersion}, the stream is at ${stream.version}`, {
      expected: request.expectedVersion,
      actual: stream.version,
    });
  }
  const metadata: CommandMetadata = {
    commandId: request.commandId,
    correlationId: request.correlationId ?? request.commandId,
    causationId: request.causationId ?? request.commandId,
    now: input.now,
    actor: request.actor ?? INTERNAL_ACTOR,
  };
  const command = { type: request.command, data: parsed.data, metadata };
  const refusal = firstRefusal(aggregate, command, stream.aggregateId, (related) => relatedState(input, related));
  // Refused as a rejection from `decide` is: same status, same body, nothing recorded.
  if (refusal) return refused(422, "rejected", refusal.message ?? refusal.reason.replaceAll("_", " "), { reason: refusal.reason });
  let decided: ReturnType<AnyAggregate["decide"]>;
  try {
    decided = aggregate.decide(command, stream.state);
  } catch (error) {
    if (!(error instanceof CommandRejected)) throw error;
    return refused(422, "rejected", error.message, { reason: error.reason });
  }
  const { commandId, correlationId, causationId, actor } = metadata;
  const eventMetadata = {
    ...callerMetadata(request.metadata),
    commandId,
    correlationId,
    causationId,
    actor: actor.id,
    recordedAt: input.now,
    ...(request.traceparent !== undefined && { traceparent: request.traceparent }),
  };
  let state = stream.state;
  const events: StoredEvent[] = decided.map((event, index) => {
    const eventSchema = ownEntry(aggregate.events, event.type);
    if (!eventSchema) throw new Error(`${aggregate.name}.decide emitted unknown event type ${event.type}`);
    // A decider bug must surface as a 500 here, not as a poisoned stream later.
    const data: unknown = eventSchema.parse(event.data);
    state = aggregate.evolve(state, { type: event.type, data });
    return {
      version: stream.version + index + 1,
      eventId: input.newId(),
      type: event.type,
      schemaVersion: aggregate.schemaVersionOf(event.type),
      data,
      metadata: eventMetadata,
      recordedAt: input.now,
    };
  });
  const envelopes = events.map((e) => envelopeOf(stream, e));
  const envelopeJson = envelopes.map((e) => JSON.stringify(e));
  const oversized = events.find((_e, i) => byteLength(envelopeJson[i]!) > MAX_EVENT_BYTES);
  if (oversized) {
    return refused(413, "payload_too_large", `event ${oversized.type} would exceed ${MAX_EVENT_BYTES} bytes, more than a queue message carries`);
  }
  const version = stream.version + events.length;
  const body: CommandSuccess = {
    streamId: stream.streamId,
    version,
    events: events.map(({ eventId, type, version }) => ({ eventId, type, version })),
    token: encodeConsistencyToken([{ streamId: stream.streamId, version }]),
  };
  const snapshotDue = Math.floor(version / aggregate.snapshotEvery) > Math.floor(stream.version / aggregate.snapshotEvery);
  return {
    kind: "accepted",
    outcome: { ok: true, replayed: false, body },
    commit: {
      events,
      envelopes,
      envelopeJson,
      record: { requestHash: input.requestHash, response: JSON.stringify(body) },
      version,
      state,
      snapshot: snapshotDue ? { sparseEvery: aggregate.snapshotEvery * SPARSE_SNAPSHOT_INTERVALS } : undefined,
    },
  };
}

/**
 * The other streams a command's preconditions read, each once; none for a command without
 * preconditions, an unknown command or a payload its schema refuses (the handler refuses those).
 */
export function relatedReadsOf(aggregate: AnyAggregate, request: CommandRequest): RelatedStream[] {
  const schema: z.ZodType | undefined = ownEntry(aggregate.commands, request.command);
  if (!schema || !aggregate.preconditionsFor?.(request.command).length) return [];
  const parsed = schema.safeParse(request.payload);
  if (!parsed.success) return [];
  const own = streamIdOf(aggregate.name, request.id);
  return relatedStreamsOf(aggregate, { type: request.command, data: parsed.data }, request.id).filter((r) => streamIdOf(r.aggregate, r.id) !== own);
}

/** A related stream's state: the command's own from the loaded stream, any other from what was read for it. */
function relatedState(input: CommandInput, related: RelatedStream): unknown {
  const streamId = streamIdOf(related.aggregate, related.id);
  if (streamId === input.stream.streamId) return input.stream.state;
  if (!input.relatedStates?.has(streamId)) throw new Error(`${input.stream.streamId}: the state of ${streamId}, which a precondition reads, was not read`);
  return input.relatedStates.get(streamId);
}

/** A refusal as a value: RPC keeps only an error's message, so status and details travel in the body. */
export function refused(
  status: 400 | 403 | 404 | 409 | 413 | 422 | 500,
  error: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): { readonly kind: "refused"; readonly outcome: CommandOutcome } {
  const body: ErrorBody = { ...details, error, message };
  return { kind: "refused", outcome: { ok: false, status, body } };
}

/**
 * The caller's metadata without any key the runtime owns. The edge refuses such keys already;
 * dropping them here too means no other path (a process manager, a direct RPC) can forge one.
 */
function callerMetadata(metadata: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata ?? {}).filter(([key]) => !RESERVED_METADATA_KEYS.has(key)));
}
