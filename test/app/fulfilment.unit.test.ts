import { describe, it } from "vitest";
import { command } from "edge-cqrs";
import { givenProcess, type TestMessage } from "edge-cqrs/testing";
import { delivery } from "../../src/app/delivery";
import { fulfilment, NOT_PICKED_UP, PICK_UP_TIMER } from "../../src/app/fulfilment";
import { order } from "../../src/app/order";

type FulfilmentEvent = Extract<TestMessage<NonNullable<(typeof fulfilment)["~types"]>["event"]>, { aggregateId: string }>;

const ORDER_ID = "o-7";
const DELIVERY_ID = "d-7";
const ADDRESS = "1 Main St, Springfield";
const EARLIER = "2026-01-01T09:00:00.000Z";
const PICK_UP_BY = "2026-01-01T12:00:00.000Z";

const scheduled = (pickUpBy?: string, id = DELIVERY_ID): FulfilmentEvent => ({
  type: "DeliveryScheduled",
  aggregateId: id,
  data: { orderId: ORDER_ID, address: ADDRESS, scheduledAt: EARLIER, ...(pickUpBy ? { pickUpBy } : {}) },
});
const pickedUp: FulfilmentEvent = { type: "DeliveryPickedUp", aggregateId: DELIVERY_ID, data: { orderId: ORDER_ID, pickedUpAt: EARLIER } };
const deliveredEvent: FulfilmentEvent = { type: "DeliveryDelivered", aggregateId: DELIVERY_ID, data: { orderId: ORDER_ID, deliveredAt: EARLIER } };
const failed: FulfilmentEvent = { type: "DeliveryFailed", aggregateId: DELIVERY_ID, data: { orderId: ORDER_ID, reason: NOT_PICKED_UP, failedAt: EARLIER } };
const cancelledDelivery: FulfilmentEvent = { type: "DeliveryCancelled", aggregateId: DELIVERY_ID, data: { orderId: ORDER_ID, cancelledAt: EARLIER } };
const orderCancelled: FulfilmentEvent = { type: "OrderCancelled", aggregateId: ORDER_ID, data: { reason: null, cancelledAt: EARLIER } };
const deadline = { id: PICK_UP_TIMER, at: PICK_UP_BY, payload: { deliveryId: DELIVERY_ID } };
const pickUpTimer = { type: "timer", id: PICK_UP_TIMER } as const;

describe("fulfilment: no delivery yet", () => {
  it("a scheduled delivery with pickUpBy sets the pick-up deadline", () => {
    givenProcess(fulfilment)
      .when(scheduled(PICK_UP_BY))
      .then({ timers: { set: [deadline] } })
      .thenState({ orderCancelled: false, delivery: { id: DELIVERY_ID, status: "scheduled" } })
      .thenTimers([deadline]);
  });

  it("a scheduled delivery without pickUpBy sets nothing", () => {
    givenProcess(fulfilment).when(scheduled()).thenNothing().thenTimers([]);
  });

  it("an order cancelled with no delivery only remembers it", () => {
    givenProcess(fulfilment).when(orderCancelled).thenNothing().thenState({ orderCancelled: true, delivery: null });
  });

  it("a delivery scheduled after its order was cancelled is cancelled", () => {
    givenProcess(fulfilment, [orderCancelled])
      .when(scheduled(PICK_UP_BY))
      .then({ commands: [command(delivery, DELIVERY_ID, "cancel", {})] })
      .thenTimers([]);
  });
});

describe("fulfilment: delivery scheduled", () => {
  it("picked up ships the order and cancels the deadline", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY)])
      .when(pickedUp)
      .then({ commands: [command(order, ORDER_ID, "ship", {})], timers: { cancel: [PICK_UP_TIMER] } })
      .thenTimers([]);
  });

  it("an order cancelled while the delivery is scheduled cancels the delivery and its deadline", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY)])
      .when(orderCancelled)
      .then({ commands: [command(delivery, DELIVERY_ID, "cancel", {})], timers: { cancel: [PICK_UP_TIMER] } })
      .thenState({ orderCancelled: true, delivery: { id: DELIVERY_ID, status: "scheduled" } })
      .thenTimers([]);
  });

  it("the deadline passing fails the delivery with not_picked_up", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY)])
      .when(pickUpTimer)
      .then({ commands: [command(delivery, DELIVERY_ID, "fail", { reason: NOT_PICKED_UP })] })
      .thenTimers([]);
  });

  it("a second delivery's deadline replaces the first one's", () => {
    const later = "2026-01-02T12:00:00Z";
    givenProcess(fulfilment, [scheduled(PICK_UP_BY), failed])
      .when(scheduled(later, "d-8"))
      .then({ timers: { set: [{ id: PICK_UP_TIMER, at: later, payload: { deliveryId: "d-8" } }] } })
      .thenTimers([{ id: PICK_UP_TIMER, at: later, payload: { deliveryId: "d-8" } }]);
  });

  it("a failed or cancelled delivery cancels the deadline", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY)]).when(failed).then({ timers: { cancel: [PICK_UP_TIMER] } }).thenTimers([]);
    givenProcess(fulfilment, [scheduled(PICK_UP_BY)])
      .when(cancelledDelivery)
      .then({ timers: { cancel: [PICK_UP_TIMER] } })
      .thenState({ orderCancelled: false, delivery: { id: DELIVERY_ID, status: "cancelled" } });
  });
});

describe("fulfilment: delivery picked up", () => {
  it("delivered marks the order delivered", () => {
    givenProcess(fulfilment, [scheduled(), pickedUp])
      .when(deliveredEvent)
      .then({ commands: [command(order, ORDER_ID, "mark-delivered", {})] })
      .thenState({ orderCancelled: false, delivery: { id: DELIVERY_ID, status: "delivered" } });
  });

  it("an order cancelled after pick-up leaves the delivery alone", () => {
    givenProcess(fulfilment, [scheduled(), pickedUp]).when(orderCancelled).thenNothing();
  });
});

describe("fulfilment: a deadline that fires after the instance moved on", () => {
  it("does nothing once the delivery was picked up", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY), pickedUp])
      .when({ ...pickUpTimer, at: PICK_UP_BY, payload: { deliveryId: DELIVERY_ID } })
      .thenNothing();
  });

  it("does nothing for an earlier delivery's deadline", () => {
    // A second delivery without a deadline leaves the first one's pending.
    givenProcess(fulfilment, [scheduled(PICK_UP_BY), failed, scheduled(undefined, "d-9")])
      .when({ ...pickUpTimer, at: PICK_UP_BY, payload: { deliveryId: DELIVERY_ID } })
      .thenNothing()
      .thenState({ orderCancelled: false, delivery: { id: "d-9", status: "scheduled" } });
  });

  it("does nothing once the order was cancelled and its delivery with it", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY), orderCancelled, cancelledDelivery])
      .when({ ...pickUpTimer, at: PICK_UP_BY, payload: { deliveryId: DELIVERY_ID } })
      .thenNothing();
  });
});

describe("fulfilment: correlation", () => {
  it("wakes no instance for the rest of an order's life", () => {
    givenProcess(fulfilment)
      .when({ type: "OrderShipped", aggregateId: ORDER_ID, data: { shippedAt: EARLIER } })
      .thenNothing()
      .thenState({ orderCancelled: false, delivery: null });
  });
});
