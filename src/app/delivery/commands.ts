import { z } from "zod";
import type { CommandOf } from "edge-cqrs";
import { Address, FailureReason, OrderId } from "./events";

export const ScheduleDelivery = z.object({ orderId: OrderId, address: Address }).strict();
export const PickUpDelivery = z.object({}).strict();
export const CompleteDelivery = z.object({}).strict();
export const FailDelivery = z.object({ reason: FailureReason }).strict();

/** The delivery's commands (the last segment of `POST /commands/delivery/:id/:command`) and their payloads. */
export const deliveryCommands = {
  schedule: ScheduleDelivery,
  "pick-up": PickUpDelivery,
  deliver: CompleteDelivery,
  fail: FailDelivery,
};

/** A delivery command as `decide` sees it. */
export type DeliveryCommand = CommandOf<typeof deliveryCommands>;
