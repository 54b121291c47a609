import { defineAggregate, reject } from "edge-cqrs";
import { customerCommands, type CustomerCommand } from "./commands";
import { customerEvents, type CustomerEvent } from "./events";

/**
 * What an order needs to know about its customer. A customer no one registered is `none`, and may
 * still place orders: customers are not required to register (decisions A6).
 */
export type CustomerState =
  | { readonly status: "none" }
  | { readonly status: "active"; readonly name: string }
  | { readonly status: "blocked"; readonly name: string; readonly blockedAt: string; readonly reason: string };

/** The state of a customer no one has registered. */
export const initialCustomerState = (): CustomerState => ({ status: "none" });

/** Pure: the events a customer command causes, or a rejection with a stable reason. */
export function decideCustomer(command: CustomerCommand, state: CustomerState): CustomerEvent[] {
  const { now } = command.metadata;
  switch (command.type) {
    case "register":
      if (state.status !== "none") reject("customer_already_registered", "The customer is already registered");
      return [{ type: "CustomerRegistered", data: { name: command.data.name, registeredAt: now } }];
    case "block":
      if (state.status === "none") reject("customer_not_found", "There is no such customer to block");
      if (state.status === "blocked") reject("customer_already_blocked", "The customer is already blocked");
      return [{ type: "CustomerBlocked", data: { reason: command.data.reason, blockedAt: now } }];
    case "unblock":
      if (state.status !== "blocked") reject("customer_not_blocked", "Only a blocked customer can be unblocked");
      return [{ type: "CustomerUnblocked", data: { unblockedAt: now } }];
    default: {
      const unhandled: never = command;
      throw new Error(`customer: unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Pure: the customer after one event. */
export function evolveCustomer(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case "CustomerRegistered":
      return { status: "active", name: event.data.name };
    case "CustomerBlocked":
      return state.status === "none" ? state : { status: "blocked", name: state.name, blockedAt: event.data.blockedAt, reason: event.data.reason };
    case "CustomerUnblocked":
      return state.status === "none" ? state : { status: "active", name: state.name };
    default: {
      const unhandled: never = event;
      throw new Error(`customer: unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * The `customer` aggregate: registered, then blocked and unblocked. A blocked customer's new orders
 * are refused (the order's `place` reads this aggregate in a precondition).
 *
 * @example
 * // POST /commands/customer/c-1/block  {"reason":"chargebacks"}
 */
export const customer = defineAggregate({
  name: "customer",
  commands: customerCommands,
  events: customerEvents,
  initialState: initialCustomerState,
  decide: decideCustomer,
  evolve: evolveCustomer,
});
