import { reject } from "edge-cqrs";
import type { DeliveryCommand } from "./commands";
import type { DeliveryEvent } from "./events";
import type { DeliveryState } from "./state";

/** Pure: the events a delivery command causes, or a rejection with a stable reason. */
export function decideDelivery(command: DeliveryCommand, state: DeliveryState): DeliveryEvent[] {
  const { now } = command.metadata;
  switch (command.type) {
    case "schedule": {
      if (state.status !== "none") reject("delivery_already_exists", "The delivery has already been scheduled");
      const { orderId, address, pickUpBy } = command.data;
      return [{ type: "DeliveryScheduled", data: { orderId, address, scheduledAt: now, ...(pickUpBy === undefined ? {} : { pickUpBy }) } }];
    }
    case "pick-up":
      if (state.status !== "scheduled") reject("delivery_not_scheduled", "Only a scheduled delivery can be picked up");
      return [{ type: "DeliveryPickedUp", data: { orderId: state.orderId, pickedUpAt: now } }];
    case "deliver":
      if (state.status !== "picked_up") reject("delivery_not_picked_up", "Only a picked-up delivery can be delivered");
      return [{ type: "DeliveryDelivered", data: { orderId: state.orderId, deliveredAt: now } }];
    case "fail":
      return decideFail(command.data.reason, now, state);
    case "cancel":
      if (state.status !== "scheduled") reject("delivery_not_scheduled", "Only a scheduled delivery can be cancelled");
      return [{ type: "DeliveryCancelled", data: { orderId: state.orderId, cancelledAt: now } }];
    default: {
      const unhandled: never = command;
      throw new Error(`delivery: unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

function decideFail(reason: string, now: string, state: DeliveryState): DeliveryEvent[] {
  switch (state.status) {
    case "none":
      return reject("delivery_not_found", "There is no such delivery");
    case "delivered":
    case "failed":
    case "cancelled":
      return reject("delivery_already_closed", `The delivery is already ${state.status}`);
    // A delivery can fail before pick-up (no courier) as well as after (nobody home).
    case "scheduled":
    case "picked_up":
      return [{ type: "DeliveryFailed", data: { orderId: state.orderId, reason, failedAt: now } }];
    default: {
      const unhandled: never = state;
      throw new Error(`delivery: unhandled state ${JSON.stringify(unhandled)}`);
    }
  }
}
