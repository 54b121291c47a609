import { z } from "zod";
import type { CommandOf } from "edge-cqrs";
import { Address, FailureReason, Instant, OrderId } from "./events";

/** `pickUpBy`: if the delivery is not picked up by then, fulfilment fails it with `not_picked_up`. */
export const ScheduleDelivery = z.object({ orderId: OrderId, address: Address, pickUpBy: Instant.optional() }).strict();
export const PickUpDelivery = z.object({}).strict();
export const CompleteDelivery = z.object({}).strict();
export const FailDelivery = z.object({ reason: FailureReason }).strict();
export const CancelDelivery = z.object({}).strict();

/** The delivery's commands (the last segment of `POST /commands/delivery/:id/:command`) and their payloads. */
export const deliveryCommands = {
  schedule: ScheduleDelivery,
  "pick-up": PickUpDelivery,
  deliver: CompleteDelivery,
  fail: FailDelivery,
  cancel: CancelDelivery,
};

/** A delivery command as `decide` sees it. */
export type DeliveryCommand = CommandOf<typeof deliveryCommands>;
