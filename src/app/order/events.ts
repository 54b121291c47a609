import { z } from "zod";
import { AGGREGATE_ID_PATTERN, type EventOf } from "edge-cqrs";

/** At most 100 lines per order: keeps an `OrderPlaced` envelope far below a queue message's 128 KB. */
export const MAX_ITEMS = 100;
/** Per line; with {@link MAX_UNIT_PRICE} and {@link MAX_ITEMS} a total stays below 2^53 cents. */
export const MAX_QUANTITY = 10_000;
/** Integer cents (1,000,000.00); 100 × 10,000 × 10^8 = 10^14, safely inside a JS integer. */
export const MAX_UNIT_PRICE = 100_000_000;
/** A SKU is a catalogue key, not prose. */
export const MAX_SKU_LENGTH = 64;
/** Free-text reasons are for humans reading the history, not documents. */
export const MAX_REASON_LENGTH = 500;

/** A customer id, in the same alphabet as aggregate ids so it can appear in URLs. */
export const CustomerId = z.string().regex(AGGREGATE_ID_PATTERN);
export const Sku = z.string().min(1).max(MAX_SKU_LENGTH);
export const Quantity = z.number().int().min(1).max(MAX_QUANTITY);
export const UnitPrice = z.number().int().min(0).max(MAX_UNIT_PRICE);
/** An instant as `command.metadata.now` gives it. */
export const Instant = z.iso.datetime();

/** One line of an order; money is integer cents. */
export const OrderLine = z.object({ sku: Sku, quantity: Quantity, unitPrice: UnitPrice });
export type OrderLine = z.infer<typeof OrderLine>;

export const OrderPlaced = z.object({
  customerId: CustomerId,
  items: z.array(OrderLine).min(1).max(MAX_ITEMS),
  placedAt: Instant,
});
/** `quantity` is what was added, not the line's new total. Schema version 2; see {@link upcastItemAddedV1}. */
export const ItemAdded = OrderLine;
/** `ItemAdded` as schema version 1 wrote it: the quantity was called `qty`. */
export const ItemAddedV1 = z.object({ sku: Sku, qty: Quantity, unitPrice: UnitPrice });

/** Reads a stored schema-version-1 `ItemAdded` as the current shape (`qty` became `quantity`). */
export function upcastItemAddedV1(data: unknown): z.output<typeof ItemAdded> {
  const { sku, qty, unitPrice } = ItemAddedV1.parse(data);
  return { sku, quantity: qty, unitPrice };
}
/** The line as it was when removed, so read models can subtract it without state of their own. */
export const ItemRemoved = OrderLine;
export const OrderCancelled = z.object({
  reason: z.string().min(1).max(MAX_REASON_LENGTH).nullable(),
  cancelledAt: Instant,
});
export const OrderShipped = z.object({ shippedAt: Instant });
export const OrderDelivered = z.object({ deliveredAt: Instant });

/** The order's event types and the current schema of their data. */
export const orderEvents = {
  OrderPlaced,
  ItemAdded,
  ItemRemoved,
  OrderCancelled,
  OrderShipped,
  OrderDelivered,
};

/** An order event as `decide` emits it and `evolve` folds it. */
export type OrderEvent = EventOf<typeof orderEvents>;
