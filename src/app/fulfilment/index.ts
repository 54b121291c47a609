export { FulfilmentState, fulfilment, NOT_PICKED_UP, PICK_UP_TIMER, PickUpDeadline } from "./process-manager";
