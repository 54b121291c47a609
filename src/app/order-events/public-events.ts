import { z } from "zod";

// The public order events: what other systems may rely on. They are written here, apart from the
// order's internal events, so the internal model can change without breaking a consumer and a
// field added inside never leaves by accident. Money is integer cents, instants are ISO-8601 UTC.

const OrderId = z.string().min(1).describe("The order's id, as chosen by the client that placed it");
const PublicInstant = z.iso.datetime();

export const PublicOrderLine = z.object({
  sku: z.string().min(1),
  quantity: z.number().int().min(1),
  unitPriceCents: z.number().int().min(0),
});

/** `com.example.order.placed`: the order as placed; later item edits are internal and not published. */
export const OrderPlacedV1 = z.object({
  orderId: OrderId,
  customerId: z.string().min(1),
  lines: z.array(PublicOrderLine).min(1),
  totalCents: z.number().int().min(0).describe("Σ quantity × unitPriceCents at placement"),
  placedAt: PublicInstant,
});

/** `com.example.order.shipped`: the order left the warehouse with its courier. */
export const OrderShippedV1 = z.object({ orderId: OrderId, shippedAt: PublicInstant });

/** `com.example.order.delivered`: the courier delivered the order. */
export const OrderDeliveredV1 = z.object({ orderId: OrderId, deliveredAt: PublicInstant });

/** `com.example.order.cancelled`: the order will not ship; `reason` is the customer's, when given. */
export const OrderCancelledV1 = z.object({ orderId: OrderId, reason: z.string().nullable(), cancelledAt: PublicInstant });
