import { describe, expect, it } from "vitest";
import { command } from "edge-cqrs";
import { givenProcess, type TestMessage } from "edge-cqrs/testing";
import { delivery } from "../../../src/app/delivery";
import { FulfilmentState, fulfilment, MAX_OPEN_DELIVERIES, NOT_PICKED_UP, pickUpTimerId, TOO_MANY_OPEN_DELIVERIES } from "../../../src/app/fulfilment";
import { order } from "../../../src/app/order";

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
const pickedUpOf = (id: string): FulfilmentEvent => ({ type: "DeliveryPickedUp", aggregateId: id, data: { orderId: ORDER_ID, pickedUpAt: EARLIER } });
const failedOf = (id: string): FulfilmentEvent => ({ type: "DeliveryFailed", aggregateId: id, data: { orderId: ORDER_ID, reason: NOT_PICKED_UP, failedAt: EARLIER } });
const cancelledOf = (id: string): FulfilmentEvent => ({ type: "DeliveryCancelled", aggregateId: id, data: { orderId: ORDER_ID, cancelledAt: EARLIER } });
const pickedUp = pickedUpOf(DELIVERY_ID);
const deliveredEvent: FulfilmentEvent = { type: "DeliveryDelivered", aggregateId: DELIVERY_ID, data: { orderId: ORDER_ID, deliveredAt: EARLIER } };
const failed = failedOf(DELIVERY_ID);
const cancelledDelivery = cancelledOf(DELIVERY_ID);
const orderCancelled: FulfilmentEvent = { type: "OrderCancelled", aggregateId: ORDER_ID, data: { reason: null, cancelledAt: EARLIER } };
const deadlineOf = (id: string, at = PICK_UP_BY) => ({ id: pickUpTimerId(id), at, payload: { deliveryId: id } });
const deadline = deadlineOf(DELIVERY_ID);
const firedFor = (id: string, at = PICK_UP_BY) => ({ type: "timer", id: pickUpTimerId(id), at, payload: { deliveryId: id } }) as const;
const pickUpTimer = firedFor(DELIVERY_ID);

describe("fulfilment: no delivery yet", () => {
  it("a scheduled delivery with pickUpBy sets that delivery's pick-up deadline", () => {
    givenProcess(fulfilment)
      .when(scheduled(PICK_UP_BY))
      .then({ timers: { set: [deadline] } })
      .thenState({ orderCancelled: false, deliveries: { [DELIVERY_ID]: "scheduled" } })
      .thenTimers([deadline]);
  });

  it("a scheduled delivery without pickUpBy sets nothing", () => {
    givenProcess(fulfilment).when(scheduled()).thenNothing().thenTimers([]);
  });

  it("an order cancelled with no delivery only remembers it", () => {
    givenProcess(fulfilment).when(orderCancelled).thenNothing().thenState({ orderCancelled: true, deliveries: {} });
  });

  it("a delivery scheduled after its order was cancelled is cancelled", () => {
    givenProcess(fulfilment, [orderCancelled])
      .when(scheduled(PICK_UP_BY))
      .then({ commands: [command(delivery, DELIVERY_ID, "cancel", {})] })
      .thenTimers([]);
  });
});

describe("fulfilment: delivery scheduled", () => {
  it("picked up ships the order and cancels that delivery's deadline", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY)])
      .when(pickedUp)
      .then({ commands: [command(order, ORDER_ID, "ship", {})], timers: { cancel: [pickUpTimerId(DELIVERY_ID)] } })
      .thenTimers([]);
  });

  it("an order cancelled while the delivery is scheduled cancels the delivery and its deadline", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY)])
      .when(orderCancelled)
      .then({ commands: [command(delivery, DELIVERY_ID, "cancel", {})], timers: { cancel: [pickUpTimerId(DELIVERY_ID)] } })
      .thenState({ orderCancelled: true, deliveries: { [DELIVERY_ID]: "scheduled" } })
      .thenTimers([]);
  });

  it("the deadline passing fails the delivery with not_picked_up", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY)])
      .when(pickUpTimer)
      .then({ commands: [command(delivery, DELIVERY_ID, "fail", { reason: NOT_PICKED_UP })] })
      .thenTimers([]);
  });

  it("a failed or cancelled delivery cancels its deadline and is no longer tracked", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY)])
      .when(failed)
      .then({ timers: { cancel: [pickUpTimerId(DELIVERY_ID)] } })
      .thenTimers([])
      .thenState({ orderCancelled: false, deliveries: {} });
    givenProcess(fulfilment, [scheduled(PICK_UP_BY)])
      .when(cancelledDelivery)
      .then({ timers: { cancel: [pickUpTimerId(DELIVERY_ID)] } })
      .thenState({ orderCancelled: false, deliveries: {} });
  });
});

describe("fulfilment: several deliveries of one order", () => {
  const later = "2026-01-02T12:00:00.000Z";

  it("a second delivery sets its own deadline and leaves the first one's armed", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY)])
      .when(scheduled(later, "d-8"))
      .then({ timers: { set: [deadlineOf("d-8", later)] } })
      .thenTimers([deadline, deadlineOf("d-8", later)])
      .thenState({ orderCancelled: false, deliveries: { [DELIVERY_ID]: "scheduled", "d-8": "scheduled" } });
  });

  it("each deadline fails its own delivery", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY), scheduled(later, "d-8")])
      .when(firedFor(DELIVERY_ID))
      .then({ commands: [command(delivery, DELIVERY_ID, "fail", { reason: NOT_PICKED_UP })] })
      .thenTimers([deadlineOf("d-8", later)]);
    givenProcess(fulfilment, [scheduled(PICK_UP_BY), scheduled(later, "d-8"), failed])
      .when(firedFor("d-8", later))
      .then({ commands: [command(delivery, "d-8", "fail", { reason: NOT_PICKED_UP })] });
  });

  it("an order cancelled cancels every delivery still scheduled, and none already picked up", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY), scheduled(later, "d-8"), scheduled(undefined, "d-9"), pickedUpOf("d-9")])
      .when(orderCancelled)
      .then({
        commands: [command(delivery, DELIVERY_ID, "cancel", {}), command(delivery, "d-8", "cancel", {})],
        timers: { cancel: [pickUpTimerId(DELIVERY_ID), pickUpTimerId("d-8")] },
      })
      .thenTimers([]);
  });

  it(`fails at once a delivery scheduled past ${MAX_OPEN_DELIVERIES} open ones, and keeps tracking the rest`, () => {
    const open = Array.from({ length: MAX_OPEN_DELIVERIES }, (_, n) => scheduled(PICK_UP_BY, `d-open-${n}`));
    givenProcess(fulfilment, open)
      .when(scheduled(later, "d-extra"))
      .then({ commands: [command(delivery, "d-extra", "fail", { reason: TOO_MANY_OPEN_DELIVERIES })] })
      // Pending timers are listed by time, then id.
      .thenTimers(open.map((_, n) => deadlineOf(`d-open-${n}`)).sort((a, b) => (a.id < b.id ? -1 : 1)));
    // One that closes makes room again.
    givenProcess(fulfilment, [...open, failedOf("d-open-0")])
      .when(scheduled(later, "d-extra"))
      .then({ timers: { set: [deadlineOf("d-extra", later)] } });
  });
});

describe("fulfilment: delivery picked up", () => {
  it("delivered marks the order delivered and stops tracking the delivery", () => {
    givenProcess(fulfilment, [scheduled(), pickedUp])
      .when(deliveredEvent)
      .then({ commands: [command(order, ORDER_ID, "mark-delivered", {})] })
      .thenState({ orderCancelled: false, deliveries: {} });
  });

  it("an order cancelled after pick-up leaves the delivery alone", () => {
    givenProcess(fulfilment, [scheduled(), pickedUp]).when(orderCancelled).thenNothing();
  });
});

describe("fulfilment: a deadline that fires after the instance moved on", () => {
  it("does nothing once the delivery was picked up", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY), pickedUp]).when(pickUpTimer).thenNothing();
  });

  it("does nothing for a delivery that already failed", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY), failed, scheduled(undefined, "d-9")])
      .when(pickUpTimer)
      .thenNothing()
      .thenState({ orderCancelled: false, deliveries: { "d-9": "scheduled" } });
  });

  it("does nothing once the order was cancelled and its delivery with it", () => {
    givenProcess(fulfilment, [scheduled(PICK_UP_BY), orderCancelled, cancelledDelivery]).when(pickUpTimer).thenNothing();
  });
});

describe("fulfilment: an instance stored before each delivery was tracked", () => {
  it("reads its one remembered delivery, so that delivery's old deadline still fails it", () => {
    const stored = { orderCancelled: false, delivery: { id: DELIVERY_ID, status: "scheduled" } };
    const state = FulfilmentState.parse(stored);
    expect(state).toEqual({ orderCancelled: false, deliveries: { [DELIVERY_ID]: "scheduled" } });
    // The old single timer ("pick-up-by", payload naming the delivery) is decided by its payload.
    expect(fulfilment.step(state, { type: "timer", id: "pick-up-by", at: PICK_UP_BY, payload: { deliveryId: DELIVERY_ID } }).commands).toEqual([
      command(delivery, DELIVERY_ID, "fail", { reason: NOT_PICKED_UP }),
    ]);
    expect(FulfilmentState.parse({ orderCancelled: true, delivery: { id: DELIVERY_ID, status: "delivered" } })).toEqual({ orderCancelled: true, deliveries: {} });
  });
});

describe("fulfilment: correlation", () => {
  it("wakes no instance for the rest of an order's life", () => {
    const shipped = { type: "OrderShipped", aggregateId: ORDER_ID, data: { shippedAt: EARLIER } } as const;
    // The runtime never hands such an event to decide, so the kit refuses to.
    expect(() => givenProcess(fulfilment).when(shipped)).toThrow(/correlates to no instance/);
  });
});
