import type { Application } from "edge-cqrs";
import { delivery } from "./delivery";
import { fulfilment } from "./fulfilment";
import { order } from "./order";
import { orderEventsOut } from "./order-events";
import { orderDetails, orderDetailsQuery } from "./order-details";
import { orderHistory, orderHistoryQuery } from "./order-history";

/** The example domain, as the runtime composes it: orders, deliveries, two read models and one process manager. */
export const application: Application<Env> = {
  title: "edge-cqrs example: orders and deliveries",
  version: "0.1.0",
  aggregates: [order, delivery],
  projections: [orderDetails, orderHistory],
  processManagers: [fulfilment],
  publishers: [orderEventsOut],
  queries: [orderDetailsQuery, orderHistoryQuery],
};

export { delivery, fulfilment, order, orderDetails, orderEventsOut, orderHistory };
