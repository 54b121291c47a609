import { describe, it } from "vitest";
import { command } from "edge-cqrs";
import { givenProcess } from "edge-cqrs/testing";
import { blockedCustomerOrders, CUSTOMER_BLOCKED_REASON, RACE_WINDOW_MS } from "../../../src/app/customer-blocking";
import { order } from "../../../src/app/order";

// The compensation for place's precondition window: an order placed at or after its customer's
// block is cancelled, whichever of the two streams' events this manager hears first.

const CUSTOMER = "c-1";
const BLOCKED_AT = "2026-01-01T10:00:00.000Z";
const just = (ms: number) => new Date(Date.parse(BLOCKED_AT) + ms).toISOString();
const items = [{ sku: "tea", quantity: 1, unitPrice: 450 }];

const blocked = { type: "CustomerBlocked" as const, aggregateId: CUSTOMER, data: { reason: "chargebacks", blockedAt: BLOCKED_AT } };
const unblockedAt = (at: string) => ({ type: "CustomerUnblocked" as const, aggregateId: CUSTOMER, data: { unblockedAt: at } });
const placed = (id: string, placedAt: string) => ({ type: "OrderPlaced" as const, aggregateId: id, data: { customerId: CUSTOMER, items, placedAt } });
const cancel = (id: string) => command(order, id, "cancel", { reason: CUSTOMER_BLOCKED_REASON });

describe("blocked-customer-orders: the block heard first", () => {
  it("cancels an order placed at or after the block", () => {
    givenProcess(blockedCustomerOrders, [blocked]).when(placed("o-1", just(0))).then({ commands: [cancel("o-1")] });
    givenProcess(blockedCustomerOrders, [blocked]).when(placed("o-2", just(40))).then({ commands: [cancel("o-2")] });
  });

  it("leaves an order placed before the block, after the unblock, or past the race window", () => {
    givenProcess(blockedCustomerOrders, [blocked]).when(placed("o-3", just(-1))).thenNothing();
    givenProcess(blockedCustomerOrders, [blocked, unblockedAt(just(1_000))]).when(placed("o-4", just(2_000))).thenNothing();
    givenProcess(blockedCustomerOrders, [blocked]).when(placed("o-5", just(RACE_WINDOW_MS))).thenNothing();
  });
});

describe("blocked-customer-orders: the orders heard first", () => {
  it("cancels, when the block arrives, each order placed at or after it, and no other", () => {
    givenProcess(blockedCustomerOrders, [placed("o-6", just(-5)), placed("o-7", just(3)), placed("o-8", just(9))])
      .when(blocked)
      .then({ commands: [cancel("o-7"), cancel("o-8")] })
      .thenState({ blocks: [{ blockedAt: BLOCKED_AT, unblockedAt: null }], orders: { "o-6": just(-5) } });
  });

  it("does not cancel an order twice when the block is heard again or another order comes", () => {
    givenProcess(blockedCustomerOrders, [placed("o-9", just(3)), blocked]).when(placed("o-10", just(-1))).thenNothing();
  });

  it("ignores events that concern no customer's compensation", () => {
    givenProcess(blockedCustomerOrders).when(placed("o-11", just(0))).thenNothing().thenState({ blocks: [], orders: { "o-11": just(0) } });
  });
});
