export { delivery } from "./delivery";
export {
  CompleteDelivery,
  deliveryCommands,
  FailDelivery,
  PickUpDelivery,
  ScheduleDelivery,
  type DeliveryCommand,
} from "./commands";
export {
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
