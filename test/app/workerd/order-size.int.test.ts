import { describe, expect, it } from "vitest";
import { MAX_EVENT_BYTES } from "../../../src/runtime/aggregate-object";
import { byteLength } from "../../../src/runtime/outbox";
import { runCommand } from "../../support/api-client";
import { CapturedEvents } from "../../support/captured-events";
import { ORDER_DETAILS } from "../support/queue-delivery";

// The example's own limits keep its largest event far below the runtime's per-event limit.

describe("the largest order", () => {
  it("the example domain accepts is far below the per-event limit, so an oversized event cannot be produced through HTTP", async () => {
    const stream = "order/ob-largest";
    const captured = new CapturedEvents();
    await captured.install(stream);
    const items = Array.from({ length: 100 }, (_, i) => ({ sku: `${i}`.padStart(64, "\u00e9"), quantity: 10_000, unitPrice: 100_000_000 }));
    await runCommand("order/ob-largest/place", { customerId: "c".repeat(128), items }, { "X-Correlation-Id": "k".repeat(200), "Idempotency-Key": "i".repeat(200) });
    const [placed] = captured.sentTo(ORDER_DETAILS);
    expect(byteLength(JSON.stringify(placed))).toBeLessThan(MAX_EVENT_BYTES / 4);
  });

});
