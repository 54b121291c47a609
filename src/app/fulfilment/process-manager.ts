import { command, defineProcessManager } from "edge-cqrs";
import { delivery } from "../delivery";
import { order } from "../order";
import { PROCESS_MANAGER_QUEUE } from "../queues";

/**
 * Keeps an order in step with its delivery: picked up means shipped, delivered means delivered.
 * A cancelled order with no delivery needs nothing, so order events are not followed at all.
 */
export const fulfilment = defineProcessManager({
  name: "fulfilment",
  queue: PROCESS_MANAGER_QUEUE,
  from: [delivery],
  handlers: {
    DeliveryPickedUp: (event) => [command(order, event.data.orderId, "ship", {})],
    DeliveryDelivered: (event) => [command(order, event.data.orderId, "mark-delivered", {})],
  },
});
