export { orderDetails } from "./projection";
export { DeliveryStatus, OrderDetailsView, orderDetailsQuery, OrderStatus } from "./query";
