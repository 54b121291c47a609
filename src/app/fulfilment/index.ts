export {
  FulfilmentState,
  fulfilment,
  MAX_OPEN_DELIVERIES,
  NOT_PICKED_UP,
  PICK_UP_TIMER,
  PickUpDeadline,
  pickUpTimerId,
  TOO_MANY_OPEN_DELIVERIES,
} from "./process-manager";
