import { describe, it } from "vitest";
import { given } from "edge-cqrs/testing";
import { customer } from "../../../src/app/customer";
import { order } from "../../../src/app/order";

const NOW = "2026-01-01T00:00:00.000Z";
const registered = { type: "CustomerRegistered" as const, data: { name: "Ada", registeredAt: NOW } };
const blocked = { type: "CustomerBlocked" as const, data: { reason: "chargebacks", blockedAt: NOW } };
const unblocked = { type: "CustomerUnblocked" as const, data: { unblockedAt: NOW } };
const place = { type: "place" as const, data: { customerId: "c-1", items: [{ sku: "tea", quantity: 1, unitPrice: 450 }] } };

describe("customer: not registered", () => {
  it("registers", () => {
    given(customer).when({ type: "register", data: { name: "Ada" } }).then([registered]).thenState({ status: "active", name: "Ada" });
  });

  it("cannot be blocked or unblocked", () => {
    given(customer).when({ type: "block", data: { reason: "x" } }).thenRejects("customer_not_found");
    given(customer).when({ type: "unblock", data: {} }).thenRejects("customer_not_blocked");
  });
});

describe("customer: active", () => {
  it("is blocked, with the instant the compensation compares orders with", () => {
    given(customer, [registered])
      .when({ type: "block", data: { reason: "chargebacks" } })
      .then([blocked])
      .thenState({ status: "blocked", name: "Ada", blockedAt: NOW, reason: "chargebacks" });
  });

  it("cannot register again or be unblocked", () => {
    given(customer, [registered]).when({ type: "register", data: { name: "Bob" } }).thenRejects("customer_already_registered");
    given(customer, [registered]).when({ type: "unblock", data: {} }).thenRejects("customer_not_blocked");
  });
});

describe("customer: blocked", () => {
  it("is unblocked, and cannot be blocked twice", () => {
    given(customer, [registered, blocked]).when({ type: "unblock", data: {} }).then([unblocked]).thenState({ status: "active", name: "Ada" });
    given(customer, [registered, blocked]).when({ type: "block", data: { reason: "again" } }).thenRejects("customer_already_blocked");
  });
});

describe("an order's customer, read by place's precondition", () => {
  const placed = [{ type: "OrderPlaced" as const, data: { customerId: "c-1", items: place.data.items, placedAt: NOW } }];

  it("refuses a blocked customer's order", () => {
    given(order).withRelated(customer, "c-1", [registered, blocked]).when(place).thenRejects("customer_blocked");
  });

  it("accepts an active, an unblocked, or an unknown customer's order (unknown customers may order, as before)", () => {
    given(order).withRelated(customer, "c-1", [registered]).when(place).then(placed);
    given(order).withRelated(customer, "c-1", [registered, blocked, unblocked]).when(place).then(placed);
    given(order).when(place).then(placed);
    given(order).withRelated(customer, "c-2", [registered, blocked]).when(place).then(placed);
  });
});
