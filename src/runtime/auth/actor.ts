/**
 * Who sent a command or a query, as the application's authentication established it. `decide`
 * sees it on `command.metadata.actor`, and every event the command appends records its `id` in
 * `metadata.actor`, so a rule about the caller never has to trust the payload.
 */
export interface Actor {
  /** A stable identifier of the caller: a user id, a service name, a token's name. */
  readonly id: string;
  /** Anything else the application's rules need (roles, tenant), as strings. */
  readonly claims?: Readonly<Record<string, string>>;
}

/** The namespace of the actors the runtime itself acts as; see {@link runtimeActor}. */
export const RUNTIME_ACTOR_PREFIX = "edge-cqrs:";

/** The actor of commands the runtime itself issues (process managers, timers). */
export const runtimeActor = (issuer: string): Actor => ({ id: `${RUNTIME_ACTOR_PREFIX}${issuer}` });

/** Whether the runtime itself sent a command (a process manager, or one of its internal calls): who may send an internal command. */
export const isRuntimeActor = (actor: Actor): boolean => actor.id.startsWith(RUNTIME_ACTOR_PREFIX);
