import type { Application } from "edge-cqrs";
import { customer } from "./customer";
import { blockedCustomerOrders } from "./customer-blocking";
import { delivery } from "./delivery";
import { fulfilment } from "./fulfilment";
import { order } from "./order";
import { orderEventsOut } from "./order-events";
import { orderDetails, orderDetailsQuery } from "./order-details";
import { orderHistory, orderHistoryQuery } from "./order-history";

/** The example domain, as the runtime composes it: orders, customers, deliveries, two read models and two process managers. */
export const application: Application<Env> = {
  title: "edge-cqrs example: orders and deliveries",
  version: "0.1.0",
  aggregates: [order, delivery, customer],
  projections: [orderDetails, orderHistory],
  processManagers: [fulfilment, blockedCustomerOrders],
  publishers: [orderEventsOut],
  queries: [orderDetailsQuery, orderHistoryQuery],
};

export { blockedCustomerOrders, customer, delivery, fulfilment, order, orderDetails, orderEventsOut, orderHistory };
