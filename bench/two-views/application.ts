// The example's order aggregate and its two views, nothing else (no process manager, no
// publisher): edge-cqrs with the bare pipeline's fan-out, two queues per order event.
import type { Application } from "edge-cqrs";
import { delivery, order, orderDetails, orderHistory } from "../../src/app";
import { orderDetailsQuery } from "../../src/app/order-details";
import { orderHistoryQuery } from "../../src/app/order-history";

/** The bindings bench/two-views/wrangler.toml declares. */
export interface TwoViewsEnv {
  readonly AGGREGATES: DurableObjectNamespace;
  readonly READ_DB: D1Database;
  readonly ORDER_DETAILS_QUEUE: Queue;
  readonly ORDER_HISTORY_QUEUE: Queue;
  readonly STREAM_CATALOG_QUEUE: Queue;
  readonly API_TOKEN: string;
  readonly ADMIN_TOKEN: string;
}

export const twoViews: Application<TwoViewsEnv> = {
  title: "edge-cqrs bench: the example's orders and two views",
  version: "0.0.0",
  // Deliveries are registered because the order-details view follows them; the bench sends none.
  aggregates: [order, delivery],
  projections: [orderDetails, orderHistory],
  queries: [orderDetailsQuery, orderHistoryQuery],
};
