import { DurableObject } from "cloudflare:workers";
import type { EventEnvelope } from "../envelope/index.js";
import type { CommandSender } from "./command-outbox.js";
import { InstanceHost, type ProcessManagerObjectOptions, type ReceiveOutcome } from "./instance-host.js";
import type { InstanceView } from "./instance-view.js";

/** Test seam, keyed by a symbol so RPC never reaches it: replaces how the outbox sends a command. */
export const useCommandSender: unique symbol = Symbol("edge-cqrs.useCommandSender");

/**
 * Builds the Durable Object class that hosts every stateful process-manager instance, one object
 * per `"<manager>/<key>"`. Export the result from the Worker's entry module under the class name
 * wrangler.toml declares. The class is a shell over {@link InstanceHost}, which does the work.
 */
export function createProcessManagerObjectClass<E extends object>(options: ProcessManagerObjectOptions): ProcessManagerObjectClass<E> {
  return class ProcessManagerObject extends DurableObject<E> implements ProcessManagerObjectMembers {
    private readonly host: InstanceHost;

    constructor(ctx: DurableObjectState, env: E) {
      super(ctx, env);
      this.host = new InstanceHost(ctx, env, options);
    }

    /**
     * Decides on one event of a followed stream, unless this instance already decided on that
     * stream at this version or later. Answers once the decision is committed and its commands
     * were tried once: a send that failed is the alarm's to retry, and does not fail the event.
     */
    receive(managerName: string, key: string, event: EventEnvelope): Promise<ReceiveOutcome> {
      return this.host.receive(managerName, key, event);
    }

    /** The instance's state, timers, outbox and recent decisions; null when it never received a message. */
    async inspect(): Promise<InstanceView | null> {
      return this.host.inspect();
    }

    override alarm(): Promise<void> {
      return this.host.alarm();
    }

    [useCommandSender](sender: CommandSender): void {
      this.host.useCommandSender(sender);
    }
  };
}

/** What a process-manager object offers: its RPC methods, and what tests reach inside it. */
export interface ProcessManagerObjectMembers {
  receive(managerName: string, key: string, event: EventEnvelope): Promise<ReceiveOutcome>;
  inspect(): Promise<InstanceView | null>;
  alarm(): Promise<void>;
  /** Replaces how commands are sent: the fault-injection seam for tests. */
  [useCommandSender](sender: CommandSender): void;
}

/** The instance type of the generated class, for typing stubs. */
export type ProcessManagerObjectInstance = DurableObject & ProcessManagerObjectMembers;

/** The generated class: what a Worker's entry module exports under the name wrangler.toml declares. */
export type ProcessManagerObjectClass<E> = new (ctx: DurableObjectState, env: E) => DurableObject<E> & ProcessManagerObjectMembers;
