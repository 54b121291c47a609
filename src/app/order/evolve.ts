import type { OrderEvent } from "./events";
import type { OrderState } from "./state";

/**
 * Pure: the order after one event. Events are facts already decided, so one that cannot
 * apply to the state (never emitted by `decideOrder`) leaves the state as it is.
 */
export function evolveOrder(state: OrderState, event: OrderEvent): OrderState {
  // Self-contained on purpose: the runtime fingerprints this function's source to tell stale
  // snapshots apart, and it cannot see changes inside helpers this function would call.
  if (event.type === "OrderPlaced") {
    const { customerId, items } = event.data;
    return { status: "placed", customerId, items: items.map((item) => ({ ...item })) };
  }
  if (state.status === "none") return state;
  switch (event.type) {
    case "ItemAdded": {
      const { sku, quantity, unitPrice } = event.data;
      const exists = state.items.some((item) => item.sku === sku);
      const items = exists
        ? state.items.map((item) => (item.sku === sku ? { ...item, quantity: item.quantity + quantity } : item))
        : [...state.items, { sku, quantity, unitPrice }];
      return { ...state, items };
    }
    case "ItemRemoved":
      return { ...state, items: state.items.filter((item) => item.sku !== event.data.sku) };
    case "OrderCancelled":
      return { ...state, status: "cancelled" };
    case "OrderShipped":
      return { ...state, status: "shipped" };
    case "OrderDelivered":
      return { ...state, status: "delivered" };
    default: {
      const unhandled: never = event;
      throw new Error(`order: unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}
