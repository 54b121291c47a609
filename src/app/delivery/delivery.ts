import { defineAggregate } from "edge-cqrs";
import { deliveryCommands } from "./commands";
import { decideDelivery } from "./decide";
import { deliveryEvents } from "./events";
import { evolveDelivery } from "./evolve";
import { initialDeliveryState } from "./state";

/**
 * The `delivery` aggregate: scheduled for an order, picked up, then delivered,
 * or failed before or after pick-up. Ids are chosen by the client.
 *
 * @example
 * // POST /commands/delivery/d-1/schedule  {"orderId":"o-1","address":"1 Main St"}
 */
export const delivery = defineAggregate({
  name: "delivery",
  commands: deliveryCommands,
  events: deliveryEvents,
  initialState: initialDeliveryState,
  decide: decideDelivery,
  evolve: evolveDelivery,
});
