import { z } from "zod";
import { command, defineProcessManager, type IssuedCommand } from "edge-cqrs";
import { customer } from "../customer";
import { order } from "../order";
import { BLOCKED_CUSTOMER_ORDERS_QUEUE } from "../queues";

/** The reason an order that slipped past its customer's block is cancelled with. */
export const CUSTOMER_BLOCKED_REASON = "customer_blocked";

/**
 * How long after a block an accepted order can still be one that slipped through. An order's
 * precondition reads the customer before the order's turn; only an order whose read came before
 * the block committed, and whose own commit came after, is accepted while the customer is blocked,
 * and a command's read and commit are milliseconds apart. Any order accepted later than this after
 * a block was accepted because the customer had been unblocked meanwhile, even if this manager has
 * not heard of the unblock yet (streams arrive in any order relative to each other). Five minutes
 * is far beyond any command's life, and short enough that a quick block-then-unblock does not
 * cancel the orders placed after the unblock.
 */
export const RACE_WINDOW_MS = 5 * 60_000;

/** Recent orders remembered per customer, for a block heard after them; bounds the instance's state. */
export const MAX_REMEMBERED_ORDERS = 100;
/** Blocks remembered per customer, for an order heard after them; bounds the instance's state. */
export const MAX_REMEMBERED_BLOCKS = 20;

const Block = z.object({ blockedAt: z.string(), unblockedAt: z.string().nullable() });
type Block = z.infer<typeof Block>;

/** What the manager remembers of one customer: its blocks (oldest first) and its recent orders not cancelled by it. */
export const BlockedCustomerOrdersState = z.object({
  blocks: z.array(Block).max(MAX_REMEMBERED_BLOCKS),
  /** Order id to `placedAt`. */
  orders: z.record(z.string(), z.string()),
});
export type BlockedCustomerOrdersState = z.infer<typeof BlockedCustomerOrdersState>;

/** Whether an order placed at `placedAt` slipped past `block`: placed at or after it, inside the race window and before its unblock. */
export function slippedPast(block: Block, placedAt: string): boolean {
  const raceEnd = new Date(Date.parse(block.blockedAt) + RACE_WINDOW_MS).toISOString();
  return placedAt >= block.blockedAt && placedAt < raceEnd && (block.unblockedAt === null || placedAt < block.unblockedAt);
}

const cancel = (orderId: string): IssuedCommand => command(order, orderId, "cancel", { reason: CUSTOMER_BLOCKED_REASON });

/** The newest orders only, by `placedAt`. */
function newest(orders: Record<string, string>): Record<string, string> {
  const entries = Object.entries(orders);
  if (entries.length <= MAX_REMEMBERED_ORDERS) return orders;
  return Object.fromEntries(entries.sort(([, a], [, b]) => (a < b ? 1 : -1)).slice(0, MAX_REMEMBERED_ORDERS));
}

/**
 * Compensates the window of `order.place`'s precondition, one instance per customer: an order
 * placed at or after its customer's block (it read the customer just before the block committed)
 * is cancelled with `customer_blocked`. It hears the customer's stream and the orders' streams,
 * whose events arrive in any order relative to each other, so it decides on what the events carry
 * (`placedAt`, `blockedAt`), never on arrival: an order heard after the block is cancelled as it
 * comes, and a block heard after orders cancels those it covers.
 */
export const blockedCustomerOrders = defineProcessManager({
  name: "blocked-customer-orders",
  queue: BLOCKED_CUSTOMER_ORDERS_QUEUE,
  from: [customer, order],
  correlate: (event) => {
    switch (event.type) {
      case "CustomerBlocked":
      case "CustomerUnblocked":
        return event.aggregateId;
      case "OrderPlaced":
        return event.data.customerId;
      default:
        return undefined;
    }
  },
  state: BlockedCustomerOrdersState,
  initialState: () => ({ blocks: [], orders: {} }),
  evolve: (state, message): BlockedCustomerOrdersState => {
    switch (message.type) {
      case "CustomerBlocked": {
        const blocks = [...state.blocks, { blockedAt: message.data.blockedAt, unblockedAt: null }].slice(-MAX_REMEMBERED_BLOCKS);
        const block = blocks.at(-1)!;
        // Orders it cancels are forgotten, so no later event cancels them again.
        return { blocks, orders: Object.fromEntries(Object.entries(state.orders).filter(([, placedAt]) => !slippedPast(block, placedAt))) };
      }
      case "CustomerUnblocked": {
        const last = state.blocks.at(-1);
        if (!last || last.unblockedAt !== null) return state;
        return { ...state, blocks: [...state.blocks.slice(0, -1), { ...last, unblockedAt: message.data.unblockedAt }] };
      }
      case "OrderPlaced":
        if (state.blocks.some((b) => slippedPast(b, message.data.placedAt))) return state;
        return { ...state, orders: newest({ ...state.orders, [message.aggregateId]: message.data.placedAt }) };
      default:
        return state;
    }
  },
  decide: (state, message) => {
    switch (message.type) {
      case "CustomerBlocked": {
        const block = { blockedAt: message.data.blockedAt, unblockedAt: null };
        const slipped = Object.keys(state.orders).filter((id) => slippedPast(block, state.orders[id]!));
        return slipped.length === 0 ? {} : { commands: slipped.map(cancel) };
      }
      case "OrderPlaced":
        return state.blocks.some((b) => slippedPast(b, message.data.placedAt)) ? { commands: [cancel(message.aggregateId)] } : {};
      default:
        return {};
    }
  },
});
