import { z } from "zod";
import { command, defineProcessManager } from "edge-cqrs";
import { delivery } from "../delivery";
import { order } from "../order";
import { PROCESS_MANAGER_QUEUE } from "../queues";

/** The one timer fulfilment sets: the latest delivery's pick-up deadline. Setting it again replaces it. */
export const PICK_UP_TIMER = "pick-up-by";

/** The reason a delivery not picked up in time is failed with. */
export const NOT_PICKED_UP = "not_picked_up";

const DeliveryStatus = z.enum(["scheduled", "picked_up", "delivered", "failed", "cancelled"]);

/** What fulfilment remembers of one order: whether it was cancelled, and its latest delivery. */
export const FulfilmentState = z.object({
  orderCancelled: z.boolean(),
  delivery: z.object({ id: z.string(), status: DeliveryStatus }).nullable(),
});
export type FulfilmentState = z.infer<typeof FulfilmentState>;

/** The pick-up deadline's payload: which delivery it is for. */
export const PickUpDeadline = z.object({ deliveryId: z.string() });

type DeliveryStatusValue = z.infer<typeof DeliveryStatus>;
const withDelivery = (state: FulfilmentState, id: string, status: DeliveryStatusValue): FulfilmentState =>
  state.delivery?.id === id ? { ...state, delivery: { id, status } } : state;

/**
 * Keeps an order and its delivery in step, one instance per order (a Durable Object with its own
 * state and timers): picked up means shipped, delivered means delivered; a delivery not picked up
 * by its `pickUpBy` is failed with `not_picked_up`; an order cancelled while its delivery is still
 * scheduled cancels the delivery, in whichever order the two events arrive.
 */
export const fulfilment = defineProcessManager({
  name: "fulfilment",
  queue: PROCESS_MANAGER_QUEUE,
  from: [order, delivery],
  correlate: (event) => {
    switch (event.type) {
      case "DeliveryScheduled":
      case "DeliveryPickedUp":
      case "DeliveryDelivered":
      case "DeliveryFailed":
      case "DeliveryCancelled":
        return event.data.orderId;
      case "OrderCancelled":
        return event.aggregateId;
      default:
        // The rest of an order's life (items, shipping) calls for nothing: no instance is woken for it.
        return undefined;
    }
  },
  state: FulfilmentState,
  timer: PickUpDeadline,
  initialState: () => ({ orderCancelled: false, delivery: null }),
  evolve: (state, message): FulfilmentState => {
    switch (message.type) {
      case "OrderCancelled":
        return { ...state, orderCancelled: true };
      case "DeliveryScheduled":
        return { ...state, delivery: { id: message.aggregateId, status: "scheduled" } };
      case "DeliveryPickedUp":
        return withDelivery(state, message.aggregateId, "picked_up");
      case "DeliveryDelivered":
        return withDelivery(state, message.aggregateId, "delivered");
      case "DeliveryFailed":
        return withDelivery(state, message.aggregateId, "failed");
      case "DeliveryCancelled":
        return withDelivery(state, message.aggregateId, "cancelled");
      default:
        return state;
    }
  },
  decide: (state, message) => {
    switch (message.type) {
      case "OrderCancelled":
        if (state.delivery?.status !== "scheduled") return {};
        return { commands: [command(delivery, state.delivery.id, "cancel", {})], timers: { cancel: [PICK_UP_TIMER] } };
      case "DeliveryScheduled": {
        // The order was cancelled before its delivery was scheduled (or its event came first).
        if (state.orderCancelled) return { commands: [command(delivery, message.aggregateId, "cancel", {})] };
        const { pickUpBy } = message.data;
        if (pickUpBy === undefined) return {};
        return { timers: { set: [{ id: PICK_UP_TIMER, at: pickUpBy, payload: { deliveryId: message.aggregateId } }] } };
      }
      case "DeliveryPickedUp":
        return { commands: [command(order, message.data.orderId, "ship", {})], timers: { cancel: [PICK_UP_TIMER] } };
      case "DeliveryDelivered":
        return { commands: [command(order, message.data.orderId, "mark-delivered", {})] };
      case "DeliveryFailed":
      case "DeliveryCancelled":
        return { timers: { cancel: [PICK_UP_TIMER] } };
      case "timer": {
        // A deadline that fires after the delivery moved on, or for an earlier delivery, has nothing to do.
        const current = state.delivery;
        if (current?.id !== message.payload.deliveryId || current.status !== "scheduled") return {};
        return { commands: [command(delivery, current.id, "fail", { reason: NOT_PICKED_UP })] };
      }
      default:
        return {};
    }
  },
});
