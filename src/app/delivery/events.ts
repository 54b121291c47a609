import { z } from "zod";
import { AGGREGATE_ID_PATTERN, type EventOf } from "edge-cqrs";

/** An address is a label for a courier, not a document. */
export const MAX_ADDRESS_LENGTH = 500;
/** Free-text reasons are for humans reading the history, not documents. */
export const MAX_REASON_LENGTH = 500;

/** The delivered order's id, in the aggregate id alphabet: it names the `order/<id>` stream. */
export const OrderId = z.string().regex(AGGREGATE_ID_PATTERN);
export const Address = z.string().min(1).max(MAX_ADDRESS_LENGTH);
export const FailureReason = z.string().min(1).max(MAX_REASON_LENGTH);
/** An instant as `command.metadata.now` gives it. */
export const Instant = z.iso.datetime();

// Every event carries `orderId` so a stateless process manager and the views can join on it.
export const DeliveryScheduled = z.object({ orderId: OrderId, address: Address, scheduledAt: Instant, pickUpBy: Instant.optional() });
export const DeliveryPickedUp = z.object({ orderId: OrderId, pickedUpAt: Instant });
export const DeliveryDelivered = z.object({ orderId: OrderId, deliveredAt: Instant });
export const DeliveryFailed = z.object({ orderId: OrderId, reason: FailureReason, failedAt: Instant });
export const DeliveryCancelled = z.object({ orderId: OrderId, cancelledAt: Instant });

/** The delivery's event types and the current schema of their data. */
export const deliveryEvents = {
  DeliveryScheduled,
  DeliveryPickedUp,
  DeliveryDelivered,
  DeliveryFailed,
  DeliveryCancelled,
};

/** A delivery event as `decide` emits it and `evolve` folds it. */
export type DeliveryEvent = EventOf<typeof deliveryEvents>;
