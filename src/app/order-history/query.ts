import { z } from "zod";
import { AGGREGATE_ID_PATTERN, defineQuery } from "edge-cqrs";
import { DeliveryStatus, OrderStatus } from "../order-details";
import { decodeCursor, encodeCursor } from "./cursor";
import { orderHistory } from "./projection";

/** Page size of the order history. */
export const DEFAULT_HISTORY_PAGE = 20;
export const MAX_HISTORY_PAGE = 100;

export const OrderHistoryView = z
  .object({
    orders: z.array(
      z.object({
        id: z.string(),
        status: OrderStatus,
        total: z.number().int(),
        itemCount: z.number().int(),
        deliveryStatus: DeliveryStatus.nullable(),
        placedAt: z.string(),
      }),
    ),
    cursor: z.string().nullable().describe("Pass back as ?cursor= for the next page; null on the last page"),
  })
  .meta({ id: "OrderHistory" });

type HistoryRow = {
  id: string;
  status: z.infer<typeof OrderStatus>;
  total: number;
  item_count: number;
  placed_at: string;
  delivery_status: z.infer<typeof DeliveryStatus> | null;
};

export const orderHistoryQuery = defineQuery({
  path: "/customers/{customerId}/orders",
  summary: "A customer's orders, newest first",
  params: z.object({ customerId: z.string().regex(AGGREGATE_ID_PATTERN) }),
  query: z.object({
    limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).default(DEFAULT_HISTORY_PAGE),
    cursor: z.string().max(512).optional(),
  }),
  response: OrderHistoryView,
  projections: [orderHistory],
  async handle({ params, query, db }) {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    // One row more than the page tells whether another page follows.
    const { results } = await db
      .prepare(
        `SELECT h.id, h.status, h.total, h.item_count, h.placed_at,
           (SELECT d.status FROM order_history_deliveries d WHERE d.order_id = h.id
             ORDER BY d.scheduled_at DESC, d.delivery_id DESC LIMIT 1) AS delivery_status
         FROM order_history h
         WHERE h.customer_id = ?1 AND (?2 IS NULL OR (h.placed_at, h.id) < (?2, ?3))
         ORDER BY h.placed_at DESC, h.id DESC LIMIT ?4`,
      )
      .bind(params.customerId, after?.placedAt ?? null, after?.id ?? null, query.limit + 1)
      .all<HistoryRow>();
    const page = results.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      orders: page.map((r) => ({
        id: r.id,
        status: r.status,
        total: r.total,
        itemCount: r.item_count,
        deliveryStatus: r.delivery_status,
        placedAt: r.placed_at,
      })),
      cursor: results.length > query.limit && last ? encodeCursor({ placedAt: last.placed_at, id: last.id }) : null,
    };
  },
});
