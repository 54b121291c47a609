import { env } from "cloudflare:workers";
import { createRuntime } from "edge-cqrs";
import { application } from "../../../src/app";
import worker from "../../../src/index";
import type { EventEnvelope } from "../../../src/runtime/envelope";
import { deliverBatch, deliverEachInOrder, type Delivery } from "../../support/deliver-batch";

export type { Delivery } from "../../support/deliver-batch";

/** The queues the example application's subscribers consume (src/app/queues.ts). */
export const ORDER_DETAILS = "order-details";
export const ORDER_HISTORY = "order-history";
export const PROCESS_MANAGERS = "process-managers";
export const PROJECTION_QUEUES = [ORDER_DETAILS, ORDER_HISTORY] as const;

/**
 * Hands `bodies` to the example Worker's `queue()` handler as one batch on `queue`, the way the
 * Queues runtime would, and reports which messages were acked and which retried. `workerEnv`
 * replaces the Worker's env, e.g. with a wrapped producer binding.
 */
export function deliver(queue: string, bodies: readonly unknown[], attempts = 1, workerEnv: Env = env): Promise<Delivery> {
  return deliverBatch(worker, workerEnv, queue, bodies, attempts);
}

/**
 * Hands `bodies` as one batch to a runtime of the example application made for the call: what
 * another isolate (or this one after a restart) does with them, remembering nothing the example
 * Worker's runtime committed.
 */
export function deliverElsewhere(queue: string, bodies: readonly unknown[]): Promise<Delivery> {
  return deliverBatch(createRuntime<Env>(application), env, queue, bodies);
}

/** Delivers each envelope as its own batch, in the given order; every message must be acked. */
export const deliverInOrder = (queue: string, envelopes: readonly EventEnvelope[]): Promise<void> => deliverEachInOrder(deliver, queue, envelopes);
