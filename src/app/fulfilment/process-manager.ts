import { z } from "zod";
import { command, defineProcessManager, type IssuedCommand } from "edge-cqrs";
import { delivery } from "../delivery";
import { order } from "../order";
import { PROCESS_MANAGER_QUEUE } from "../queues";

/**
 * Prefix of every pick-up deadline's timer id. Each delivery has its own deadline
 * (`pick-up-by:<deliveryId>`), so scheduling a second delivery for an order never disarms the first.
 */
export const PICK_UP_TIMER = "pick-up-by";

/** The timer id of one delivery's pick-up deadline. */
export const pickUpTimerId = (deliveryId: string): string => `${PICK_UP_TIMER}:${deliveryId}`;

/** The reason a delivery not picked up in time is failed with. */
export const NOT_PICKED_UP = "not_picked_up";

/** The reason a delivery scheduled past `MAX_OPEN_DELIVERIES` is failed with at once. */
export const TOO_MANY_OPEN_DELIVERIES = "too_many_open_deliveries";

/**
 * Deliveries of one order that fulfilment keeps open (scheduled or picked up) at once. Cancelling
 * the order cancels every scheduled one in a single decision, which sends at most 20 commands
 * (`MAX_COMMANDS_PER_DECISION`); it also keeps each instance's timers and state small whoever
 * names the order. A delivery scheduled past it is failed with `too_many_open_deliveries`.
 */
export const MAX_OPEN_DELIVERIES = 20;

const OpenDeliveryStatus = z.enum(["scheduled", "picked_up"]);
type OpenDeliveryStatus = z.infer<typeof OpenDeliveryStatus>;

const CurrentState = z.object({
  orderCancelled: z.boolean(),
  /** The order's open deliveries by id; a delivery leaves when it is delivered, failed or cancelled. */
  deliveries: z.record(z.string(), OpenDeliveryStatus),
});

/**
 * Instances stored before each delivery was tracked remembered only the latest one
 * (`delivery: {id, status} | null`): read as that one delivery, so its deadline still fires.
 */
const fromSingleDelivery = (stored: unknown): unknown => {
  if (typeof stored !== "object" || stored === null || "deliveries" in stored || !("delivery" in stored)) return stored;
  const { delivery: latest, ...rest } = stored as { delivery: { id?: unknown; status?: unknown } | null };
  const open = latest !== null && typeof latest.id === "string" && OpenDeliveryStatus.safeParse(latest.status).success;
  return { ...rest, deliveries: open ? { [latest.id as string]: latest.status } : {} };
};

/** What fulfilment remembers of one order: whether it was cancelled, and its open deliveries. */
export const FulfilmentState = z.preprocess(fromSingleDelivery, CurrentState);
export type FulfilmentState = z.infer<typeof CurrentState>;

/** A pick-up deadline's payload: which delivery it is for. */
export const PickUpDeadline = z.object({ deliveryId: z.string() });

const withStatus = (state: FulfilmentState, id: string, status: OpenDeliveryStatus): FulfilmentState =>
  state.deliveries[id] === undefined ? state : { ...state, deliveries: { ...state.deliveries, [id]: status } };

const withoutDelivery = (state: FulfilmentState, id: string): FulfilmentState => {
  if (state.deliveries[id] === undefined) return state;
  const { [id]: _closed, ...deliveries } = state.deliveries;
  return { ...state, deliveries };
};

const scheduledIds = (state: FulfilmentState): string[] => Object.keys(state.deliveries).filter((id) => state.deliveries[id] === "scheduled");

/** Whether a newly scheduled delivery would exceed the open deliveries an order may have. */
const overLimit = (state: FulfilmentState, deliveryId: string): boolean =>
  state.deliveries[deliveryId] === undefined && Object.keys(state.deliveries).length >= MAX_OPEN_DELIVERIES;

/**
 * Keeps an order and its deliveries in step, one instance per order (a Durable Object with its
 * own state and timers). An order may have several deliveries (a split shipment, a second attempt
 * after a failure), each tracked on its own: picked up means shipped, delivered means delivered;
 * each delivery not picked up by its own `pickUpBy` is failed with `not_picked_up`; an order
 * cancelled while deliveries are still scheduled cancels every one of them, in whichever order the
 * events arrive.
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
  initialState: () => ({ orderCancelled: false, deliveries: {} }),
  evolve: (state, message): FulfilmentState => {
    switch (message.type) {
      case "OrderCancelled":
        return { ...state, orderCancelled: true };
      case "DeliveryScheduled":
        // One past the limit is failed by decide, never tracked.
        if (overLimit(state, message.aggregateId)) return state;
        return { ...state, deliveries: { ...state.deliveries, [message.aggregateId]: "scheduled" } };
      case "DeliveryPickedUp":
        return withStatus(state, message.aggregateId, "picked_up");
      case "DeliveryDelivered":
      case "DeliveryFailed":
      case "DeliveryCancelled":
        return withoutDelivery(state, message.aggregateId);
      default:
        return state;
    }
  },
  decide: (state, message) => {
    switch (message.type) {
      case "OrderCancelled": {
        const scheduled = scheduledIds(state);
        if (scheduled.length === 0) return {};
        return {
          commands: scheduled.map((id): IssuedCommand => command(delivery, id, "cancel", {})),
          timers: { cancel: scheduled.map(pickUpTimerId) },
        };
      }
      case "DeliveryScheduled": {
        const id = message.aggregateId;
        if (overLimit(state, id)) return { commands: [command(delivery, id, "fail", { reason: TOO_MANY_OPEN_DELIVERIES })] };
        // The order was cancelled before this delivery was scheduled (or its event came first).
        if (state.orderCancelled) return { commands: [command(delivery, id, "cancel", {})] };
        const { pickUpBy } = message.data;
        if (pickUpBy === undefined) return {};
        return { timers: { set: [{ id: pickUpTimerId(id), at: pickUpBy, payload: { deliveryId: id } }] } };
      }
      case "DeliveryPickedUp":
        return { commands: [command(order, message.data.orderId, "ship", {})], timers: { cancel: [pickUpTimerId(message.aggregateId)] } };
      case "DeliveryDelivered":
        return { commands: [command(order, message.data.orderId, "mark-delivered", {})] };
      case "DeliveryFailed":
      case "DeliveryCancelled":
        return { timers: { cancel: [pickUpTimerId(message.aggregateId)] } };
      case "timer": {
        // A deadline that fires after its delivery moved on (picked up, failed, cancelled) has nothing to do.
        const { deliveryId } = message.payload;
        if (state.deliveries[deliveryId] !== "scheduled") return {};
        return { commands: [command(delivery, deliveryId, "fail", { reason: NOT_PICKED_UP })] };
      }
      default:
        return {};
    }
  },
});
