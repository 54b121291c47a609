import { reject } from "edge-cqrs";
import type { OrderCommand } from "./commands";
import { MAX_ITEMS, MAX_QUANTITY, type OrderEvent } from "./events";
import type { OrderState } from "./state";

/** Pure: the events an order command causes, or a rejection with a stable reason. */
export function decideOrder(command: OrderCommand, state: OrderState): OrderEvent[] {
  const { now } = command.metadata;
  switch (command.type) {
    case "place": {
      if (state.status !== "none") reject("order_already_exists", "The order has already been placed");
      const { customerId, items } = command.data;
      return [{ type: "OrderPlaced", data: { customerId, items: items.map((item) => ({ ...item })), placedAt: now } }];
    }
    case "add-item": {
      if (state.status !== "placed") reject("order_not_placed", "Items can only be added to a placed order");
      const { sku, quantity, unitPrice } = command.data;
      const line = state.items.find((item) => item.sku === sku);
      if (line && line.unitPrice !== unitPrice) {
        reject("unit_price_mismatch", `${sku} is already in the order at ${line.unitPrice} cents`);
      }
      if (line && line.quantity + quantity > MAX_QUANTITY) {
        reject("quantity_limit", `${sku} would exceed ${MAX_QUANTITY} units`);
      }
      if (!line && state.items.length >= MAX_ITEMS) {
        reject("too_many_items", `An order holds at most ${MAX_ITEMS} items`);
      }
      return [{ type: "ItemAdded", data: { sku, quantity, unitPrice } }];
    }
    case "remove-item": {
      if (state.status !== "placed") reject("order_not_placed", "Items can only be removed from a placed order");
      const line = state.items.find((item) => item.sku === command.data.sku);
      if (!line) reject("item_not_found", `${command.data.sku} is not in the order`);
      if (state.items.length === 1) reject("last_item", "The last item cannot be removed; cancel the order instead");
      return [{ type: "ItemRemoved", data: { sku: line.sku, quantity: line.quantity, unitPrice: line.unitPrice } }];
    }
    case "cancel":
      return decideCancel(command.data.reason, now, state);
    case "ship":
      if (state.status !== "placed") reject("order_not_placed", "Only a placed order can be shipped");
      return [{ type: "OrderShipped", data: { shippedAt: now } }];
    case "mark-delivered":
      if (state.status !== "shipped") reject("order_not_shipped", "Only a shipped order can be delivered");
      return [{ type: "OrderDelivered", data: { deliveredAt: now } }];
    default: {
      const unhandled: never = command;
      throw new Error(`order: unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

function decideCancel(reason: string | undefined, now: string, state: OrderState): OrderEvent[] {
  switch (state.status) {
    case "none":
      return reject("order_not_found", "There is no such order to cancel");
    case "shipped":
    case "delivered":
    case "cancelled":
      return reject("order_not_cancellable", `A ${state.status} order cannot be cancelled`);
    case "placed":
      return [{ type: "OrderCancelled", data: { reason: reason ?? null, cancelledAt: now } }];
    default: {
      const unhandled: never = state;
      throw new Error(`order: unhandled state ${JSON.stringify(unhandled)}`);
    }
  }
}
