import { describe, expect, it } from "vitest";
import { order, type OrderEvent, type OrderState } from "../../../src/app/order";
import { given, stateAfter, TEST_COMMAND_METADATA, type TestCommand, type UncheckedTestCommand } from "edge-cqrs/testing";

type OrderTestCommand = TestCommand<typeof order.commands>;

const NOW = TEST_COMMAND_METADATA.now;
const EARLIER = "2025-12-31T09:30:00.000Z";

const tea = { sku: "tea", quantity: 2, unitPrice: 450 };
const cup = { sku: "cup", quantity: 1, unitPrice: 1200 };

/**
 * The kit parses commands with their schemas but not the events the decider emits. Expected
 * events go through this check, and `then` equates them with the actual ones.
 */
function valid(...events: OrderEvent[]): OrderEvent[] {
  for (const event of events) order.events[event.type].parse(event.data);
  return events;
}
const validEvent = (event: OrderEvent): OrderEvent => valid(event)[0] ?? event;

const placed = validEvent({ type: "OrderPlaced", data: { customerId: "c-1", items: [tea, cup], placedAt: EARLIER } });
const placedWithTeaOnly = validEvent({ type: "OrderPlaced", data: { customerId: "c-1", items: [tea], placedAt: EARLIER } });
const shipped = validEvent({ type: "OrderShipped", data: { shippedAt: EARLIER } });
const delivered = validEvent({ type: "OrderDelivered", data: { deliveredAt: EARLIER } });
const cancelled = validEvent({ type: "OrderCancelled", data: { reason: null, cancelledAt: EARLIER } });

/** `count` distinct lines, `sku-0` … `sku-<count-1>`. */
const lines = (count: number) => Array.from({ length: count }, (_, i) => ({ sku: `sku-${i}`, quantity: 1, unitPrice: 100 }));

const placedWith = (items: { sku: string; quantity: number; unitPrice: number }[]): OrderEvent => ({
  type: "OrderPlaced",
  data: { customerId: "c-1", items, placedAt: EARLIER },
});

describe("order: no order yet", () => {
  it("place places the order with its items, stamped with the command's time", () => {
    given(order)
      .when({ type: "place", data: { customerId: "c-1", items: [tea, cup] } })
      .then(valid({ type: "OrderPlaced", data: { customerId: "c-1", items: [tea, cup], placedAt: NOW } }))
      .thenState({ status: "placed", customerId: "c-1", items: [tea, cup] });
  });

  it("place takes placedAt from metadata.now, not the clock", () => {
    given(order)
      .when({ type: "place", data: { customerId: "c-1", items: [tea] }, metadata: { now: "2030-05-06T07:08:09.000Z" } })
      .then(valid({ type: "OrderPlaced", data: { customerId: "c-1", items: [tea], placedAt: "2030-05-06T07:08:09.000Z" } }));
  });

  it("place accepts the limits: 100 items, 10000 units, a free item, the highest price", () => {
    const items = [
      ...lines(97),
      { sku: "bulk", quantity: 10_000, unitPrice: 1 },
      { sku: "gift", quantity: 1, unitPrice: 0 },
      { sku: "yacht", quantity: 1, unitPrice: 100_000_000 },
    ];
    given(order)
      .when({ type: "place", data: { customerId: "A-z.0_9~x", items } })
      .then(valid({ type: "OrderPlaced", data: { customerId: "A-z.0_9~x", items, placedAt: NOW } }))
      .thenState({ status: "placed", customerId: "A-z.0_9~x", items });
  });

  it.each<{ command: OrderTestCommand; reason: string }>([
    { command: { type: "add-item", data: tea }, reason: "order_not_placed" },
    { command: { type: "remove-item", data: { sku: "tea" } }, reason: "order_not_placed" },
    { command: { type: "cancel", data: {} }, reason: "order_not_found" },
    { command: { type: "cancel", data: { reason: "changed my mind" } }, reason: "order_not_found" },
    { command: { type: "ship", data: {} }, reason: "order_not_placed" },
    { command: { type: "mark-delivered", data: {} }, reason: "order_not_shipped" },
  ])("$command.type is rejected: $reason", ({ command, reason }) => {
    given(order).when(command).thenRejects(reason);
  });
});

describe("order: placed", () => {
  it("place is rejected: order_already_exists", () => {
    given(order, [placed])
      .when({ type: "place", data: { customerId: "c-2", items: [cup] } })
      .thenRejects("order_already_exists");
  });

  it("add-item of a new sku adds a line at the end", () => {
    const jam = { sku: "jam", quantity: 3, unitPrice: 799 };
    given(order, [placed])
      .when({ type: "add-item", data: jam })
      .then(valid({ type: "ItemAdded", data: jam }))
      .thenState({ status: "placed", customerId: "c-1", items: [tea, cup, jam] });
  });

  it("add-item of an existing sku emits the added quantity and raises the line's quantity", () => {
    given(order, [placed])
      .when({ type: "add-item", data: { sku: "tea", quantity: 3, unitPrice: 450 } })
      .then(valid({ type: "ItemAdded", data: { sku: "tea", quantity: 3, unitPrice: 450 } }))
      .thenState({ status: "placed", customerId: "c-1", items: [{ sku: "tea", quantity: 5, unitPrice: 450 }, cup] });
  });

  it("add-item of an existing sku at another price is rejected: unit_price_mismatch", () => {
    given(order, [placed])
      .when({ type: "add-item", data: { sku: "tea", quantity: 1, unitPrice: 451 } })
      .thenRejects("unit_price_mismatch");
  });

  it("add-item may bring a line to exactly 10000 units", () => {
    given(order, [placed])
      .when({ type: "add-item", data: { sku: "tea", quantity: 9_998, unitPrice: 450 } })
      .then(valid({ type: "ItemAdded", data: { sku: "tea", quantity: 9_998, unitPrice: 450 } }))
      .thenState({ status: "placed", customerId: "c-1", items: [{ sku: "tea", quantity: 10_000, unitPrice: 450 }, cup] });
  });

  it("add-item beyond 10000 units on a line is rejected: quantity_limit", () => {
    given(order, [placed])
      .when({ type: "add-item", data: { sku: "tea", quantity: 9_999, unitPrice: 450 } })
      .thenRejects("quantity_limit");
  });

  it("add-item counts quantities added earlier towards the limit", () => {
    given(order, [placed, { type: "ItemAdded", data: { sku: "tea", quantity: 9_000, unitPrice: 450 } }])
      .when({ type: "add-item", data: { sku: "tea", quantity: 999, unitPrice: 450 } })
      .thenRejects("quantity_limit");
  });

  it("add-item may bring an order to 100 lines", () => {
    given(order, [placedWith(lines(99))])
      .when({ type: "add-item", data: tea })
      .then(valid({ type: "ItemAdded", data: tea }))
      .thenState({ status: "placed", customerId: "c-1", items: [...lines(99), tea] });
  });

  it("add-item of a new sku to an order of 100 lines is rejected: too_many_items", () => {
    given(order, [placedWith(lines(100))])
      .when({ type: "add-item", data: tea })
      .thenRejects("too_many_items");
  });

  it("add-item of an existing sku to an order of 100 lines is accepted", () => {
    given(order, [placedWith(lines(100))])
      .when({ type: "add-item", data: { sku: "sku-42", quantity: 4, unitPrice: 100 } })
      .then(valid({ type: "ItemAdded", data: { sku: "sku-42", quantity: 4, unitPrice: 100 } }));
  });

  it("add-item after a removal makes room again below 100 lines", () => {
    given(order, [placedWith(lines(100)), { type: "ItemRemoved", data: { sku: "sku-0", quantity: 1, unitPrice: 100 } }])
      .when({ type: "add-item", data: tea })
      .then(valid({ type: "ItemAdded", data: tea }));
  });

  it("add-item of a removed sku starts a new line, at any price", () => {
    given(order, [placed, { type: "ItemRemoved", data: cup }])
      .when({ type: "add-item", data: { sku: "cup", quantity: 4, unitPrice: 999 } })
      .then(valid({ type: "ItemAdded", data: { sku: "cup", quantity: 4, unitPrice: 999 } }))
      .thenState({ status: "placed", customerId: "c-1", items: [tea, { sku: "cup", quantity: 4, unitPrice: 999 }] });
  });

  it("remove-item removes the whole line and reports what it held", () => {
    given(order, [placed])
      .when({ type: "remove-item", data: { sku: "cup" } })
      .then(valid({ type: "ItemRemoved", data: { sku: "cup", quantity: 1, unitPrice: 1200 } }))
      .thenState({ status: "placed", customerId: "c-1", items: [tea] });
  });

  it("remove-item reports the line's quantity including later additions", () => {
    given(order, [placed, { type: "ItemAdded", data: { sku: "tea", quantity: 3, unitPrice: 450 } }])
      .when({ type: "remove-item", data: { sku: "tea" } })
      .then(valid({ type: "ItemRemoved", data: { sku: "tea", quantity: 5, unitPrice: 450 } }))
      .thenState({ status: "placed", customerId: "c-1", items: [cup] });
  });

  it("remove-item of a sku not in the order is rejected: item_not_found", () => {
    given(order, [placed]).when({ type: "remove-item", data: { sku: "jam" } }).thenRejects("item_not_found");
  });

  it("remove-item of a sku already removed is rejected: item_not_found", () => {
    given(order, [placed, { type: "ItemRemoved", data: cup }])
      .when({ type: "remove-item", data: { sku: "cup" } })
      .thenRejects("item_not_found");
  });

  it("remove-item of the only line is rejected: last_item", () => {
    given(order, [placedWithTeaOnly]).when({ type: "remove-item", data: { sku: "tea" } }).thenRejects("last_item");
  });

  it("remove-item of the line left after removals is rejected: last_item", () => {
    given(order, [placed, { type: "ItemRemoved", data: tea }])
      .when({ type: "remove-item", data: { sku: "cup" } })
      .thenRejects("last_item");
  });

  it("remove-item of an unknown sku from a one-line order is rejected: item_not_found", () => {
    given(order, [placedWithTeaOnly]).when({ type: "remove-item", data: { sku: "cup" } }).thenRejects("item_not_found");
  });

  it("cancel with a reason cancels the order and keeps its lines", () => {
    given(order, [placed])
      .when({ type: "cancel", data: { reason: "found it cheaper" } })
      .then(valid({ type: "OrderCancelled", data: { reason: "found it cheaper", cancelledAt: NOW } }))
      .thenState({ status: "cancelled", customerId: "c-1", items: [tea, cup] });
  });

  it("cancel without a reason records reason null", () => {
    given(order, [placed])
      .when({ type: "cancel", data: {} })
      .then(valid({ type: "OrderCancelled", data: { reason: null, cancelledAt: NOW } }))
      .thenState({ status: "cancelled", customerId: "c-1", items: [tea, cup] });
  });

  it("ship ships the order", () => {
    given(order, [placed])
      .when({ type: "ship", data: {} })
      .then(valid({ type: "OrderShipped", data: { shippedAt: NOW } }))
      .thenState({ status: "shipped", customerId: "c-1", items: [tea, cup] });
  });

  it("ship takes shippedAt from metadata.now", () => {
    given(order, [placed])
      .when({ type: "ship", data: {}, metadata: { now: "2026-03-04T05:06:07.890Z" } })
      .then(valid({ type: "OrderShipped", data: { shippedAt: "2026-03-04T05:06:07.890Z" } }));
  });

  it("mark-delivered is rejected: order_not_shipped", () => {
    given(order, [placed]).when({ type: "mark-delivered", data: {} }).thenRejects("order_not_shipped");
  });
});

describe("order: shipped", () => {
  it("mark-delivered delivers the order", () => {
    given(order, [placed, shipped])
      .when({ type: "mark-delivered", data: {} })
      .then(valid({ type: "OrderDelivered", data: { deliveredAt: NOW } }))
      .thenState({ status: "delivered", customerId: "c-1", items: [tea, cup] });
  });

  it.each<{ command: OrderTestCommand; reason: string }>([
    { command: { type: "place", data: { customerId: "c-1", items: [tea] } }, reason: "order_already_exists" },
    { command: { type: "add-item", data: tea }, reason: "order_not_placed" },
    { command: { type: "remove-item", data: { sku: "cup" } }, reason: "order_not_placed" },
    { command: { type: "cancel", data: { reason: "too late" } }, reason: "order_not_cancellable" },
    { command: { type: "ship", data: {} }, reason: "order_not_placed" },
  ])("$command.type is rejected: $reason", ({ command, reason }) => {
    given(order, [placed, shipped]).when(command).thenRejects(reason);
  });
});

describe("order: delivered", () => {
  it.each<{ command: OrderTestCommand; reason: string }>([
    { command: { type: "place", data: { customerId: "c-1", items: [tea] } }, reason: "order_already_exists" },
    { command: { type: "add-item", data: tea }, reason: "order_not_placed" },
    { command: { type: "remove-item", data: { sku: "cup" } }, reason: "order_not_placed" },
    { command: { type: "cancel", data: {} }, reason: "order_not_cancellable" },
    { command: { type: "ship", data: {} }, reason: "order_not_placed" },
    { command: { type: "mark-delivered", data: {} }, reason: "order_not_shipped" },
  ])("$command.type is rejected: $reason", ({ command, reason }) => {
    given(order, [placed, shipped, delivered]).when(command).thenRejects(reason);
  });
});

describe("order: cancelled", () => {
  it.each<{ command: OrderTestCommand; reason: string }>([
    { command: { type: "place", data: { customerId: "c-1", items: [tea] } }, reason: "order_already_exists" },
    { command: { type: "add-item", data: tea }, reason: "order_not_placed" },
    { command: { type: "remove-item", data: { sku: "cup" } }, reason: "order_not_placed" },
    { command: { type: "cancel", data: { reason: "twice" } }, reason: "order_not_cancellable" },
    { command: { type: "ship", data: {} }, reason: "order_not_placed" },
    { command: { type: "mark-delivered", data: {} }, reason: "order_not_shipped" },
  ])("$command.type is rejected: $reason", ({ command, reason }) => {
    given(order, [placed, cancelled]).when(command).thenRejects(reason);
  });
});

describe("order: command schemas", () => {
  const longId = "x".repeat(129);

  it.each<{ case: string; command: UncheckedTestCommand<typeof order.commands> }>([
    { case: "place without items", command: { type: "place", data: { customerId: "c-1", items: [] } } },
    { case: "place with 101 items", command: { type: "place", data: { customerId: "c-1", items: lines(101) } } },
    { case: "place with duplicate skus", command: { type: "place", data: { customerId: "c-1", items: [tea, { ...tea, quantity: 1 }] } } },
    { case: "place with quantity 0", command: { type: "place", data: { customerId: "c-1", items: [{ ...tea, quantity: 0 }] } } },
    { case: "place with quantity 10001", command: { type: "place", data: { customerId: "c-1", items: [{ ...tea, quantity: 10_001 }] } } },
    { case: "place with a fractional quantity", command: { type: "place", data: { customerId: "c-1", items: [{ ...tea, quantity: 1.5 }] } } },
    { case: "place with a fractional price", command: { type: "place", data: { customerId: "c-1", items: [{ ...tea, unitPrice: 4.5 }] } } },
    { case: "place with a negative price", command: { type: "place", data: { customerId: "c-1", items: [{ ...tea, unitPrice: -1 }] } } },
    { case: "place with a price over the limit", command: { type: "place", data: { customerId: "c-1", items: [{ ...tea, unitPrice: 100_000_001 }] } } },
    { case: "place with a price as a string", command: { type: "place", data: { customerId: "c-1", items: [{ ...tea, unitPrice: "450" }] } } },
    { case: "place with an empty sku", command: { type: "place", data: { customerId: "c-1", items: [{ ...tea, sku: "" }] } } },
    { case: "place with a 65-char sku", command: { type: "place", data: { customerId: "c-1", items: [{ ...tea, sku: "s".repeat(65) }] } } },
    { case: "place with a customerId containing /", command: { type: "place", data: { customerId: "c/1", items: [tea] } } },
    { case: "place with a customerId containing a space", command: { type: "place", data: { customerId: "c 1", items: [tea] } } },
    { case: "place with an empty customerId", command: { type: "place", data: { customerId: "", items: [tea] } } },
    { case: "place with a 129-char customerId", command: { type: "place", data: { customerId: longId, items: [tea] } } },
    { case: "place without customerId", command: { type: "place", data: { items: [tea] } } },
    { case: "place with an unknown field", command: { type: "place", data: { customerId: "c-1", items: [tea], coupon: "X" } } },
    { case: "place with an unknown field on an item", command: { type: "place", data: { customerId: "c-1", items: [{ ...tea, colour: "red" }] } } },
    { case: "add-item with quantity 0", command: { type: "add-item", data: { ...tea, quantity: 0 } } },
    { case: "add-item with a fractional price", command: { type: "add-item", data: { ...tea, unitPrice: 0.5 } } },
    { case: "add-item without unitPrice", command: { type: "add-item", data: { sku: "tea", quantity: 1 } } },
    { case: "add-item with an unknown field", command: { type: "add-item", data: { ...tea, note: "x" } } },
    { case: "remove-item without sku", command: { type: "remove-item", data: {} } },
    { case: "remove-item with an unknown field", command: { type: "remove-item", data: { sku: "tea", quantity: 1 } } },
    { case: "cancel with an empty reason", command: { type: "cancel", data: { reason: "" } } },
    { case: "cancel with a 501-char reason", command: { type: "cancel", data: { reason: "r".repeat(501) } } },
    { case: "cancel with reason null", command: { type: "cancel", data: { reason: null } } },
    { case: "cancel with an unknown field", command: { type: "cancel", data: { refund: true } } },
    { case: "ship with an unknown field", command: { type: "ship", data: { carrier: "x" } } },
    { case: "mark-delivered with an unknown field", command: { type: "mark-delivered", data: { by: "x" } } },
  ])("$case is invalid", ({ command }) => {
    expect(given(order).whenInvalid(command)).not.toEqual([]);
  });

  it("duplicate skus fail with the message 'skus must be unique'", () => {
    const issues = given(order).whenInvalid({ type: "place", data: { customerId: "c-1", items: [tea, tea] } });
    expect(issues.map((i) => i.message)).toContain("skus must be unique");
  });

  it("the longest valid ids, skus and reasons are accepted", () => {
    const item = { sku: "s".repeat(64), quantity: 1, unitPrice: 0 };
    given(order)
      .when({ type: "place", data: { customerId: "c".repeat(128), items: [item] } })
      .then(valid({ type: "OrderPlaced", data: { customerId: "c".repeat(128), items: [item], placedAt: NOW } }));
    given(order, [placed])
      .when({ type: "cancel", data: { reason: "r".repeat(500) } })
      .then(valid({ type: "OrderCancelled", data: { reason: "r".repeat(500), cancelledAt: NOW } }));
  });
});

describe("order: evolve", () => {
  it("ignores events that cannot apply to an order that does not exist", () => {
    const none: OrderState = { status: "none" };
    for (const event of valid(
      { type: "ItemAdded", data: tea },
      { type: "ItemRemoved", data: tea },
      { type: "OrderCancelled", data: { reason: null, cancelledAt: NOW } },
      shipped,
      delivered,
    )) {
      expect(order.evolve(none, event)).toEqual(none);
    }
  });

  it("does not mutate the state it is given", () => {
    const before = stateAfter(order, [placed]) as OrderState;
    const copy = structuredClone(before);
    order.evolve(before, { type: "ItemAdded", data: { sku: "tea", quantity: 1, unitPrice: 450 } });
    order.evolve(before, { type: "ItemRemoved", data: cup });
    expect(before).toEqual(copy);
  });

  it("folds to a state that survives a JSON round trip (snapshots)", () => {
    const state = stateAfter(order, [
      placed,
      { type: "ItemAdded", data: { sku: "jam", quantity: 1, unitPrice: 300 } },
      { type: "ItemRemoved", data: cup },
      shipped,
    ]);
    expect(state).toEqual({ status: "shipped", customerId: "c-1", items: [tea, { sku: "jam", quantity: 1, unitPrice: 300 }] });
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});
