// The example's order rules for `place` and `add-item`, written by hand: the same 400s and 422s
// as edge-cqrs's zod schemas and decider, without a framework.
import { errorAnswer, type Answer } from "./env";

/** The same limits as the example's order (src/app/order/events.ts). */
const MAX_ITEMS = 100;
const MAX_QUANTITY = 10_000;
const MAX_UNIT_PRICE = 100_000_000;
const MAX_SKU_LENGTH = 64;
export const ID_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;

export interface Line {
  sku: string;
  quantity: number;
  unitPrice: number;
}
export interface OrderState {
  status: "none" | "placed";
  items: Line[];
}
export type OrderEvent = { type: "OrderPlaced"; data: { customerId: string; items: Line[]; placedAt: string } } | { type: "ItemAdded"; data: Line };

export const initialState = (): OrderState => ({ status: "none", items: [] });

/** The validated payload, or a 400 naming the problem. */
export function validate(command: "place" | "add-item", payload: unknown): { ok: true; value: unknown } | { ok: false; answer: Answer } {
  const problem = command === "place" ? placeProblem(payload) : lineProblem(payload);
  if (problem === undefined) return { ok: true, value: payload };
  return { ok: false, answer: errorAnswer(400, "invalid_command", `payload of order.${command} is invalid`, { issues: [{ message: problem }] }) };
}

/** The event a command causes, or a 422 rejection with the example's reasons. */
export function decide(command: "place" | "add-item", payload: unknown, state: OrderState, now: string): OrderEvent | Answer {
  if (command === "place") {
    if (state.status !== "none") return rejected("order_already_exists", "The order has already been placed");
    const { customerId, items } = payload as { customerId: string; items: Line[] };
    return { type: "OrderPlaced", data: { customerId, items: items.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })), placedAt: now } };
  }
  if (state.status !== "placed") return rejected("order_not_placed", "Items can only be added to a placed order");
  const { sku, quantity, unitPrice } = payload as Line;
  const line = state.items.find((item) => item.sku === sku);
  if (line && line.unitPrice !== unitPrice) return rejected("unit_price_mismatch", `${sku} is already in the order at ${line.unitPrice} cents`);
  if (line && line.quantity + quantity > MAX_QUANTITY) return rejected("quantity_limit", `${sku} would exceed ${MAX_QUANTITY} units`);
  if (!line && state.items.length >= MAX_ITEMS) return rejected("too_many_items", `An order holds at most ${MAX_ITEMS} items`);
  return { type: "ItemAdded", data: { sku, quantity, unitPrice } };
}

export function evolve(state: OrderState, event: OrderEvent): OrderState {
  if (event.type === "OrderPlaced") return { status: "placed", items: event.data.items.map((i) => ({ ...i })) };
  const { sku, quantity, unitPrice } = event.data;
  const line = state.items.find((item) => item.sku === sku);
  const items = line ? state.items.map((i) => (i.sku === sku ? { ...i, quantity: i.quantity + quantity } : i)) : [...state.items, { sku, quantity, unitPrice }];
  return { status: state.status, items };
}

const rejected = (reason: string, message: string): Answer => errorAnswer(422, "rejected", message, { reason });

function placeProblem(payload: unknown): string | undefined {
  if (!isRecord(payload) || !onlyKeys(payload, ["customerId", "items"])) return "expected {customerId, items}";
  if (typeof payload.customerId !== "string" || !ID_PATTERN.test(payload.customerId)) return "customerId is invalid";
  const items = payload.items;
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_ITEMS) return `items must hold 1-${MAX_ITEMS} lines`;
  for (const item of items) {
    const problem = lineProblem(item);
    if (problem) return problem;
  }
  if (new Set(items.map((item: Line) => item.sku)).size !== items.length) return "skus must be unique";
  return undefined;
}

function lineProblem(line: unknown): string | undefined {
  if (!isRecord(line) || !onlyKeys(line, ["sku", "quantity", "unitPrice"])) return "expected {sku, quantity, unitPrice}";
  if (typeof line.sku !== "string" || line.sku.length < 1 || line.sku.length > MAX_SKU_LENGTH) return "sku is invalid";
  if (!isIntegerIn(line.quantity, 1, MAX_QUANTITY)) return "quantity is invalid";
  if (!isIntegerIn(line.unitPrice, 0, MAX_UNIT_PRICE)) return "unitPrice is invalid";
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const onlyKeys = (value: Record<string, unknown>, keys: readonly string[]): boolean =>
  keys.every((k) => k in value) && Object.keys(value).every((k) => keys.includes(k));
const isIntegerIn = (value: unknown, min: number, max: number): boolean => Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
