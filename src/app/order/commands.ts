import { z } from "zod";
import type { CommandOf } from "edge-cqrs";
import { CustomerId, MAX_ITEMS, MAX_REASON_LENGTH, Quantity, Sku, UnitPrice } from "./events";

const NewLine = z.object({ sku: Sku, quantity: Quantity, unitPrice: UnitPrice }).strict();

export const PlaceOrder = z
  .object({
    customerId: CustomerId,
    items: z
      .array(NewLine)
      .min(1)
      .max(MAX_ITEMS)
      // One line per sku: a duplicate would make add-item and remove-item ambiguous.
      .refine((items) => new Set(items.map((item) => item.sku)).size === items.length, "skus must be unique"),
  })
  .strict();
export const AddItem = NewLine;
export const RemoveItem = z.object({ sku: Sku }).strict();
export const CancelOrder = z.object({ reason: z.string().min(1).max(MAX_REASON_LENGTH).optional() }).strict();
export const ShipOrder = z.object({}).strict();
export const MarkOrderDelivered = z.object({}).strict();

/** The order's commands (the last segment of `POST /commands/order/:id/:command`) and their payloads. */
export const orderCommands = {
  place: PlaceOrder,
  "add-item": AddItem,
  "remove-item": RemoveItem,
  cancel: CancelOrder,
  ship: ShipOrder,
  "mark-delivered": MarkOrderDelivered,
};

/** An order command as `decide` sees it. */
export type OrderCommand = CommandOf<typeof orderCommands>;
