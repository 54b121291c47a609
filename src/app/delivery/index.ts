export { delivery } from "./delivery";
export {
  CancelDelivery,
  CompleteDelivery,
  deliveryCommands,
  FailDelivery,
  PickUpDelivery,
  ScheduleDelivery,
  type DeliveryCommand,
} from "./commands";
export {
  DeliveryCancelled,
  DeliveryDelivered,
  deliveryEvents,
  DeliveryFailed,
  DeliveryPickedUp,
  DeliveryScheduled,
  type DeliveryEvent,
} from "./events";
export { initialDeliveryState, type DeliveryState, type DeliveryStatus } from "./state";
export { decideDelivery } from "./decide";
export { evolveDelivery } from "./evolve";
