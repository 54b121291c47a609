import type { z } from "zod";
import type { SchemaMap } from "../aggregate/index.js";

/** A command a process manager issues in reaction to an event (or, when stateful, to a timer). */
export interface IssuedCommand {
  readonly aggregate: string;
  readonly id: string;
  readonly command: string;
  readonly payload: unknown;
}

/**
 * A typed command for a process manager to issue.
 *
 * @example
 * DeliveryPickedUp: (event) => [command(order, event.data.orderId, "ship", {})]
 */
export function command<C extends SchemaMap, K extends keyof C & string>(
  aggregate: { readonly name: string; readonly commands: C },
  id: string,
  name: K,
  payload: z.input<C[K]>,
): IssuedCommand {
  return { aggregate: aggregate.name, id, command: name, payload };
}
