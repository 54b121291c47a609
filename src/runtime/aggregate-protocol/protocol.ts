import type { Actor } from "../auth/index.js";
import type { EventEnvelope } from "../envelope/index.js";
import type { ErrorBody } from "../errors/index.js";

/** A command as it crosses from the Worker (or a process manager) to the aggregate's object. */
export interface CommandRequest {
  readonly aggregate: string;
  readonly id: string;
  readonly command: string;
  readonly payload: unknown;
  readonly commandId: string;
  readonly correlationId?: string;
  /** The message that caused this command; defaults to the command id. */
  readonly causationId?: string;
  /** `If-Match`: the version the stream must be at; 0 means it must not exist yet. */
  readonly expectedVersion?: number;
  /** Caller-supplied metadata copied onto every event (reserved keys cannot be overridden). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Who sent it; absent only on the runtime's own internal calls, which act as {@link INTERNAL_ACTOR}. */
  readonly actor?: Actor;
  /**
   * The command's own W3C traceparent (its trace and its span), set by the runtime: the HTTP edge
   * from the request's header, a process manager from the causing event's. Copied onto every
   * event's metadata; the object starts a trace when it is absent or invalid.
   */
  readonly traceparent?: string;
}

/** The actor of a request that names none: only the runtime's internal callers omit it. */
export const INTERNAL_ACTOR: Actor = { id: "edge-cqrs:internal" };

/** The success body of `POST /commands/...` (docs/http-api.md). */
export interface CommandSuccess {
  readonly streamId: string;
  readonly version: number;
  readonly events: readonly { readonly eventId: string; readonly type: string; readonly version: number }[];
  readonly token: string;
}

/**
 * The answer of the object. Failures travel as values, not thrown errors, because RPC keeps
 * only an error's message: status and details would be lost.
 */
export type CommandOutcome =
  | { readonly ok: true; readonly replayed: boolean; readonly body: CommandSuccess }
  | { readonly ok: false; readonly status: 400 | 403 | 404 | 409 | 413 | 422 | 500; readonly body: ErrorBody };

export interface StreamReadRequest {
  readonly aggregate: string;
  readonly id: string;
  /** First version to return (1-based). */
  readonly from: number;
  readonly limit: number;
  /** Also fold the state up to this version. */
  readonly asOf?: number;
}

export interface StreamPage {
  readonly streamId: string;
  /** The stream's current version (not the last returned). */
  readonly version: number;
  readonly events: readonly EventEnvelope[];
  /** Present when `asOf` was asked: the state folded up to that version. */
  readonly state?: { readonly version: number; readonly value: unknown };
}

/** Query parameters of the Worker's live-subscription request to an aggregate object. */
export const LIVE_AGGREGATE_PARAM = "aggregate";
export const LIVE_ID_PARAM = "id";
export const LIVE_FROM_PARAM = "from";

/** Asks an aggregate object for its stream's current state: what a precondition of another aggregate's command reads. */
export interface StateReadRequest {
  readonly aggregate: string;
  readonly id: string;
}

/** A stream's current state, folded from its newest snapshot; version 0 and `initialState()` when never written. */
export interface CurrentState {
  readonly streamId: string;
  readonly version: number;
  readonly state: unknown;
}

/** Reads other aggregates' current state from their own objects (the aggregate client is one). */
export interface CurrentStateReader {
  readState(request: StateReadRequest): Promise<CurrentState>;
}
