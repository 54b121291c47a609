import type { OrderLine } from "./events";

/** An order's status once it exists; the views use the same words. */
export type OrderStatus = "placed" | "shipped" | "delivered" | "cancelled";

/** What `decide` needs to know about an order. Plain JSON: it is snapshotted as such. */
export type OrderState =
  | { readonly status: "none" }
  | { readonly status: OrderStatus; readonly customerId: string; readonly items: readonly OrderLine[] };

/** The state of an order no one has placed yet. */
export const initialOrderState = (): OrderState => ({ status: "none" });
