/** A delivery's status once it exists; the views use the same words. */
export type DeliveryStatus = "scheduled" | "picked_up" | "delivered" | "failed" | "cancelled";

/** What `decide` needs to know about a delivery. Plain JSON: it is snapshotted as such. */
export type DeliveryState =
  | { readonly status: "none" }
  | { readonly status: DeliveryStatus; readonly orderId: string; readonly address: string };

/** The state of a delivery no one has scheduled yet. */
export const initialDeliveryState = (): DeliveryState => ({ status: "none" });
