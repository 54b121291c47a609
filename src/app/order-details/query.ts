import { z } from "zod";
import { AGGREGATE_ID_PATTERN, defineQuery } from "edge-cqrs";
import { orderDetails } from "./projection";

export const OrderStatus = z.enum(["placed", "shipped", "delivered", "cancelled"]);
export const DeliveryStatus = z.enum(["scheduled", "picked_up", "delivered", "failed", "cancelled"]);

/** `GET /orders/:id`. */
export const OrderDetailsView = z
  .object({
    id: z.string(),
    customerId: z.string(),
    status: OrderStatus,
    items: z.array(z.object({ sku: z.string(), quantity: z.number().int(), unitPrice: z.number().int() })),
    total: z.number().int().describe("Σ quantity × unitPrice, in cents"),
    delivery: z.object({ id: z.string(), status: DeliveryStatus }).nullable(),
    version: z.number().int().describe("The order stream's version this view reflects"),
  })
  .meta({ id: "OrderDetails" });

type OrderRow = { id: string; customer_id: string; status: z.infer<typeof OrderStatus>; version: number };
type ItemRow = { sku: string; quantity: number; unit_price: number };
type DeliveryRow = { delivery_id: string; status: z.infer<typeof DeliveryStatus> };

export const orderDetailsQuery = defineQuery({
  path: "/orders/{id}",
  summary: "Order details",
  params: z.object({ id: z.string().regex(AGGREGATE_ID_PATTERN) }),
  query: z.object({}),
  response: OrderDetailsView,
  projections: [orderDetails],
  async handle({ params, db }) {
    const [orders, items, deliveries] = await db.batch<OrderRow | ItemRow | DeliveryRow>([
      db.prepare("SELECT id, customer_id, status, version FROM order_details WHERE id = ?").bind(params.id),
      db.prepare("SELECT sku, quantity, unit_price FROM order_details_items WHERE order_id = ? ORDER BY position").bind(params.id),
      db
        .prepare("SELECT delivery_id, status FROM order_details_deliveries WHERE order_id = ? ORDER BY scheduled_at DESC, delivery_id DESC LIMIT 1")
        .bind(params.id),
    ]);
    const row = orders?.results[0] as OrderRow | undefined;
    if (!row) return null;
    const lines = (items?.results ?? []) as ItemRow[];
    const latest = deliveries?.results[0] as DeliveryRow | undefined;
    return {
      id: row.id,
      customerId: row.customer_id,
      status: row.status,
      items: lines.map((i) => ({ sku: i.sku, quantity: i.quantity, unitPrice: i.unit_price })),
      total: lines.reduce((sum, i) => sum + i.quantity * i.unit_price, 0),
      delivery: latest ? { id: latest.delivery_id, status: latest.status } : null,
      version: row.version,
    };
  },
});
