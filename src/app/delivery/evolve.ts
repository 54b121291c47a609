import type { DeliveryEvent } from "./events";
import type { DeliveryState } from "./state";

/**
 * Pure: the delivery after one event. Events are facts already decided, so one that cannot
 * apply to the state (never emitted by `decideDelivery`) leaves the state as it is.
 */
export function evolveDelivery(state: DeliveryState, event: DeliveryEvent): DeliveryState {
  // Self-contained on purpose: the runtime fingerprints this function's source to tell stale
  // snapshots apart, and it cannot see changes inside helpers this function would call.
  if (event.type === "DeliveryScheduled") {
    return { status: "scheduled", orderId: event.data.orderId, address: event.data.address };
  }
  if (state.status === "none") return state;
  switch (event.type) {
    case "DeliveryPickedUp":
      return { ...state, status: "picked_up" };
    case "DeliveryDelivered":
      return { ...state, status: "delivered" };
    case "DeliveryFailed":
      return { ...state, status: "failed" };
    case "DeliveryCancelled":
      return { ...state, status: "cancelled" };
    default: {
      const unhandled: never = event;
      throw new Error(`delivery: unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}
