import { defineAggregate, refuse } from "edge-cqrs";
import { customer } from "../customer";
import { orderCommands } from "./commands";
import { decideOrder } from "./decide";
import { orderEvents, upcastItemAddedV1 } from "./events";
import { evolveOrder } from "./evolve";
import { initialOrderState } from "./state";

/**
 * The `order` aggregate: placed with items, edited while `placed`, then shipped
 * and delivered, or cancelled before it ships. Ids are chosen by the client. Shipping and
 * delivering follow the order's delivery: only fulfilment sends `ship` and `mark-delivered`, so
 * they are internal commands, with no HTTP route.
 *
 * @example
 * // POST /commands/order/o-1/place  {"customerId":"c-1","items":[{"sku":"tea","quantity":2,"unitPrice":450}]}
 */
export const order = defineAggregate({
  name: "order",
  commands: orderCommands,
  events: orderEvents,
  initialState: initialOrderState,
  decide: decideOrder,
  evolve: evolveOrder,
  internalCommands: ["ship", "mark-delivered"],
  // ItemAdded is at schema version 2: version 1 named the quantity `qty`.
  upcasters: { ItemAdded: { 1: upcastItemAddedV1 } },
  // A rule across aggregates: a blocked customer places no orders. An unknown customer still may.
  // Read before the order's turn and not locked: `blocked-customer-orders` cancels what slips through.
  preconditions: {
    place: (rule) => [
      rule(customer, {
        id: (command) => command.data.customerId,
        check: (c) => (c.status === "blocked" ? refuse("customer_blocked", "The customer is blocked and cannot place orders") : undefined),
      }),
    ],
  },
});
