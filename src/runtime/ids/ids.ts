import { uuidv7 } from "uuidv7";

/** Aggregate ids: 1-128 characters of `[A-Za-z0-9._~-]`, safe in URLs and object names. */
export const AGGREGATE_ID_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;

/** Command ids come from clients' `Idempotency-Key`; printable ASCII keeps logs and SQL keys sane. */
export const COMMAND_ID_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** A new time-ordered event or command id (UUIDv7, RFC 9562). */
export const newId = (): string => uuidv7();

/** The stream id of one aggregate instance, also the name of its Durable Object. */
export const streamIdOf = (aggregate: string, id: string): string => `${aggregate}/${id}`;

/** Splits `"<aggregate>/<id>"`; returns undefined for anything else. */
export function parseStreamId(streamId: string): { aggregate: string; id: string } | undefined {
  const slash = streamId.indexOf("/");
  if (slash <= 0) return undefined;
  const aggregate = streamId.slice(0, slash);
  const id = streamId.slice(slash + 1);
  return AGGREGATE_ID_PATTERN.test(id) ? { aggregate, id } : undefined;
}

/**
 * Command ids the runtime issues itself (process managers, timers) start with this prefix, and a
 * client `Idempotency-Key` starting with it is refused at the edge: no client can take, and so
 * block, a command the runtime will send later.
 */
export const RUNTIME_COMMAND_ID_PREFIX = "edge-cqrs:";

/** Whether a command id is in the namespace only the runtime may use. */
export const isRuntimeCommandId = (commandId: string): boolean => commandId.startsWith(RUNTIME_COMMAND_ID_PREFIX);
