export { ORDER_EVENTS_SOURCE, orderEventsOut } from "./publisher";
export { OrderCancelledV1, OrderDeliveredV1, OrderPlacedV1, OrderShippedV1, PublicOrderLine } from "./public-events";
