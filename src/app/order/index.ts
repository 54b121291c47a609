export { order } from "./order";
export {
  AddItem,
  CancelOrder,
  MarkOrderDelivered,
  orderCommands,
  PlaceOrder,
  RemoveItem,
  ShipOrder,
  type OrderCommand,
} from "./commands";
export {
  ItemAdded,
  ItemAddedV1,
  ItemRemoved,
  MAX_ITEMS,
  MAX_QUANTITY,
  MAX_UNIT_PRICE,
  OrderCancelled,
  OrderDelivered,
  orderEvents,
  OrderLine,
  OrderPlaced,
  OrderShipped,
  upcastItemAddedV1,
  type OrderEvent,
} from "./events";
export { initialOrderState, type OrderState, type OrderStatus } from "./state";
export { decideOrder } from "./decide";
export { evolveOrder } from "./evolve";
