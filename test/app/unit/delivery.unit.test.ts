import { describe, expect, it } from "vitest";
import { delivery, type DeliveryEvent, type DeliveryState } from "../../../src/app/delivery";
import { given, stateAfter, TEST_COMMAND_METADATA, type TestCommand, type UncheckedTestCommand } from "edge-cqrs/testing";

type DeliveryTestCommand = TestCommand<typeof delivery.commands>;

const NOW = TEST_COMMAND_METADATA.now;
const EARLIER = "2025-12-31T09:30:00.000Z";
const ADDRESS = "1 Main St, Springfield";
/** The order the fixture delivery is for; unlike any literal in the decider. */
const ORDER_ID = "o-42";

/**
 * The kit parses commands with their schemas but not the events the decider emits. Expected
 * events go through this check, and `then` equates them with the actual ones.
 */
function valid(...events: DeliveryEvent[]): DeliveryEvent[] {
  for (const event of events) delivery.events[event.type].parse(event.data);
  return events;
}
const validEvent = (event: DeliveryEvent): DeliveryEvent => valid(event)[0] ?? event;

const scheduled = validEvent({ type: "DeliveryScheduled", data: { orderId: ORDER_ID, address: ADDRESS, scheduledAt: EARLIER } });
const pickedUp = validEvent({ type: "DeliveryPickedUp", data: { orderId: ORDER_ID, pickedUpAt: EARLIER } });
const deliveredEvent = validEvent({ type: "DeliveryDelivered", data: { orderId: ORDER_ID, deliveredAt: EARLIER } });
const failedEvent = validEvent({ type: "DeliveryFailed", data: { orderId: ORDER_ID, reason: "no courier", failedAt: EARLIER } });

describe("delivery: none yet", () => {
  it("schedule schedules the delivery for its order, stamped with the command's time", () => {
    given(delivery)
      .when({ type: "schedule", data: { orderId: "o-1", address: ADDRESS } })
      .then(valid({ type: "DeliveryScheduled", data: { orderId: "o-1", address: ADDRESS, scheduledAt: NOW } }))
      .thenState({ status: "scheduled", orderId: "o-1", address: ADDRESS });
  });

  it("schedule takes scheduledAt from metadata.now, not the clock", () => {
    given(delivery)
      .when({ type: "schedule", data: { orderId: "o-1", address: ADDRESS }, metadata: { now: "2030-05-06T07:08:09.000Z" } })
      .then(valid({ type: "DeliveryScheduled", data: { orderId: "o-1", address: ADDRESS, scheduledAt: "2030-05-06T07:08:09.000Z" } }));
  });

  it.each<{ command: DeliveryTestCommand; reason: string }>([
    { command: { type: "pick-up", data: {} }, reason: "delivery_not_scheduled" },
    { command: { type: "deliver", data: {} }, reason: "delivery_not_picked_up" },
    { command: { type: "fail", data: { reason: "lost" } }, reason: "delivery_not_found" },
    { command: { type: "cancel", data: {} }, reason: "delivery_not_scheduled" },
  ])("$command.type is rejected: $reason", ({ command, reason }) => {
    given(delivery).when(command).thenRejects(reason);
  });

  it("schedule carries an optional pickUpBy deadline onto the event", () => {
    given(delivery)
      .when({ type: "schedule", data: { orderId: "o-1", address: ADDRESS, pickUpBy: "2026-01-01T12:00:00.000Z" } })
      .then(valid({ type: "DeliveryScheduled", data: { orderId: "o-1", address: ADDRESS, scheduledAt: NOW, pickUpBy: "2026-01-01T12:00:00.000Z" } }));
  });
});

describe("delivery: scheduled", () => {
  it("schedule is rejected: delivery_already_exists, even for another order", () => {
    given(delivery, [scheduled])
      .when({ type: "schedule", data: { orderId: "o-2", address: "elsewhere" } })
      .thenRejects("delivery_already_exists");
  });

  it("pick-up picks the delivery up, naming its order", () => {
    given(delivery, [scheduled])
      .when({ type: "pick-up", data: {} })
      .then(valid({ type: "DeliveryPickedUp", data: { orderId: ORDER_ID, pickedUpAt: NOW } }))
      .thenState({ status: "picked_up", orderId: ORDER_ID, address: ADDRESS });
  });

  it("deliver is rejected: delivery_not_picked_up", () => {
    given(delivery, [scheduled]).when({ type: "deliver", data: {} }).thenRejects("delivery_not_picked_up");
  });

  it("fail before pick-up fails the delivery", () => {
    given(delivery, [scheduled])
      .when({ type: "fail", data: { reason: "no courier available" } })
      .then(valid({ type: "DeliveryFailed", data: { orderId: ORDER_ID, reason: "no courier available", failedAt: NOW } }))
      .thenState({ status: "failed", orderId: ORDER_ID, address: ADDRESS });
  });

  it("cancel cancels the delivery, naming its order", () => {
    given(delivery, [scheduled])
      .when({ type: "cancel", data: {} })
      .then(valid({ type: "DeliveryCancelled", data: { orderId: ORDER_ID, cancelledAt: NOW } }))
      .thenState({ status: "cancelled", orderId: ORDER_ID, address: ADDRESS });
  });
});

describe("delivery: picked up", () => {
  it("schedule is rejected: delivery_already_exists", () => {
    given(delivery, [scheduled, pickedUp])
      .when({ type: "schedule", data: { orderId: ORDER_ID, address: ADDRESS } })
      .thenRejects("delivery_already_exists");
  });

  it("pick-up is rejected: delivery_not_scheduled", () => {
    given(delivery, [scheduled, pickedUp]).when({ type: "pick-up", data: {} }).thenRejects("delivery_not_scheduled");
  });

  it("deliver delivers, naming its order", () => {
    given(delivery, [scheduled, pickedUp])
      .when({ type: "deliver", data: {} })
      .then(valid({ type: "DeliveryDelivered", data: { orderId: ORDER_ID, deliveredAt: NOW } }))
      .thenState({ status: "delivered", orderId: ORDER_ID, address: ADDRESS });
  });

  it("deliver takes deliveredAt from metadata.now", () => {
    given(delivery, [scheduled, pickedUp])
      .when({ type: "deliver", data: {}, metadata: { now: "2026-03-04T05:06:07.890Z" } })
      .then(valid({ type: "DeliveryDelivered", data: { orderId: ORDER_ID, deliveredAt: "2026-03-04T05:06:07.890Z" } }));
  });

  it("fail after pick-up fails the delivery", () => {
    given(delivery, [scheduled, pickedUp])
      .when({ type: "fail", data: { reason: "nobody home" } })
      .then(valid({ type: "DeliveryFailed", data: { orderId: ORDER_ID, reason: "nobody home", failedAt: NOW } }))
      .thenState({ status: "failed", orderId: ORDER_ID, address: ADDRESS });
  });
});

describe("delivery: delivered", () => {
  it.each<{ command: DeliveryTestCommand; reason: string }>([
    { command: { type: "schedule", data: { orderId: ORDER_ID, address: ADDRESS } }, reason: "delivery_already_exists" },
    { command: { type: "pick-up", data: {} }, reason: "delivery_not_scheduled" },
    { command: { type: "deliver", data: {} }, reason: "delivery_not_picked_up" },
    { command: { type: "fail", data: { reason: "too late" } }, reason: "delivery_already_closed" },
  ])("$command.type is rejected: $reason", ({ command, reason }) => {
    given(delivery, [scheduled, pickedUp, deliveredEvent]).when(command).thenRejects(reason);
  });
});

describe("delivery: cancelled", () => {
  const cancelled = validEvent({ type: "DeliveryCancelled", data: { orderId: ORDER_ID, cancelledAt: EARLIER } });

  it.each<{ command: DeliveryTestCommand; reason: string }>([
    { command: { type: "schedule", data: { orderId: ORDER_ID, address: ADDRESS } }, reason: "delivery_already_exists" },
    { command: { type: "pick-up", data: {} }, reason: "delivery_not_scheduled" },
    { command: { type: "fail", data: { reason: "too late" } }, reason: "delivery_already_closed" },
    { command: { type: "cancel", data: {} }, reason: "delivery_not_scheduled" },
  ])("$command.type is rejected: $reason", ({ command, reason }) => {
    given(delivery, [scheduled, cancelled]).when(command).thenRejects(reason);
  });

  it("cancel after pick-up is rejected: delivery_not_scheduled", () => {
    given(delivery, [scheduled, pickedUp]).when({ type: "cancel", data: {} }).thenRejects("delivery_not_scheduled");
  });
});

describe("delivery: failed", () => {
  it.each<{ command: DeliveryTestCommand; reason: string }>([
    { command: { type: "schedule", data: { orderId: ORDER_ID, address: ADDRESS } }, reason: "delivery_already_exists" },
    { command: { type: "pick-up", data: {} }, reason: "delivery_not_scheduled" },
    { command: { type: "deliver", data: {} }, reason: "delivery_not_picked_up" },
    { command: { type: "fail", data: { reason: "again" } }, reason: "delivery_already_closed" },
  ])("failed before pick-up: $command.type is rejected: $reason", ({ command, reason }) => {
    given(delivery, [scheduled, failedEvent]).when(command).thenRejects(reason);
  });

  it.each<{ command: DeliveryTestCommand; reason: string }>([
    { command: { type: "pick-up", data: {} }, reason: "delivery_not_scheduled" },
    { command: { type: "deliver", data: {} }, reason: "delivery_not_picked_up" },
    { command: { type: "fail", data: { reason: "again" } }, reason: "delivery_already_closed" },
  ])("failed after pick-up: $command.type is rejected: $reason", ({ command, reason }) => {
    given(delivery, [scheduled, pickedUp, failedEvent]).when(command).thenRejects(reason);
  });
});

describe("delivery: command schemas", () => {
  it.each<{ case: string; command: UncheckedTestCommand<typeof delivery.commands> }>([
    { case: "schedule without orderId", command: { type: "schedule", data: { address: ADDRESS } } },
    { case: "schedule with an empty orderId", command: { type: "schedule", data: { orderId: "", address: ADDRESS } } },
    { case: "schedule with an orderId containing /", command: { type: "schedule", data: { orderId: "o/1", address: ADDRESS } } },
    { case: "schedule with an orderId containing a space", command: { type: "schedule", data: { orderId: "o 1", address: ADDRESS } } },
    { case: "schedule with a 129-char orderId", command: { type: "schedule", data: { orderId: "o".repeat(129), address: ADDRESS } } },
    { case: "schedule with a numeric orderId", command: { type: "schedule", data: { orderId: 1, address: ADDRESS } } },
    { case: "schedule without address", command: { type: "schedule", data: { orderId: "o-1" } } },
    { case: "schedule with an empty address", command: { type: "schedule", data: { orderId: "o-1", address: "" } } },
    { case: "schedule with a 501-char address", command: { type: "schedule", data: { orderId: "o-1", address: "a".repeat(501) } } },
    { case: "schedule with an unknown field", command: { type: "schedule", data: { orderId: "o-1", address: ADDRESS, eta: "soon" } } },
    { case: "pick-up with an unknown field", command: { type: "pick-up", data: { courier: "x" } } },
    { case: "deliver with an unknown field", command: { type: "deliver", data: { signedBy: "x" } } },
    { case: "fail without reason", command: { type: "fail", data: {} } },
    { case: "fail with an empty reason", command: { type: "fail", data: { reason: "" } } },
    { case: "fail with a 501-char reason", command: { type: "fail", data: { reason: "r".repeat(501) } } },
    { case: "fail with an unknown field", command: { type: "fail", data: { reason: "lost", retry: true } } },
  ])("$case is invalid", ({ command }) => {
    expect(given(delivery).whenInvalid(command)).not.toEqual([]);
  });

  it("the longest valid order id, address and reason are accepted", () => {
    const orderId = "A-z.0_9~".repeat(16);
    given(delivery)
      .when({ type: "schedule", data: { orderId, address: "a".repeat(500) } })
      .then(valid({ type: "DeliveryScheduled", data: { orderId, address: "a".repeat(500), scheduledAt: NOW } }));
    given(delivery, [scheduled])
      .when({ type: "fail", data: { reason: "r".repeat(500) } })
      .then(valid({ type: "DeliveryFailed", data: { orderId: ORDER_ID, reason: "r".repeat(500), failedAt: NOW } }));
  });
});

describe("delivery: evolve", () => {
  it("ignores events that cannot apply to a delivery that does not exist", () => {
    const none: DeliveryState = { status: "none" };
    for (const event of [pickedUp, deliveredEvent, failedEvent]) {
      expect(delivery.evolve(none, event)).toEqual(none);
    }
  });

  it("folds to a state that survives a JSON round trip (snapshots)", () => {
    const state = stateAfter(delivery, [scheduled, pickedUp, failedEvent]);
    expect(state).toEqual({ status: "failed", orderId: ORDER_ID, address: ADDRESS });
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});
