import { z } from "zod";
import type { EventOf } from "edge-cqrs";
import { Instant, MAX_REASON_LENGTH } from "../order/events";

/** A customer's display name: for people reading the history, not a document. */
export const MAX_NAME_LENGTH = 200;

export const CustomerRegistered = z.object({ name: z.string().min(1).max(MAX_NAME_LENGTH), registeredAt: Instant });
/** `blockedAt` is what the compensation compares an order's `placedAt` with (docs/guide.md, "Rules that span aggregates"). */
export const CustomerBlocked = z.object({ reason: z.string().min(1).max(MAX_REASON_LENGTH), blockedAt: Instant });
export const CustomerUnblocked = z.object({ unblockedAt: Instant });

/** The customer's event types and the current schema of their data. */
export const customerEvents = { CustomerRegistered, CustomerBlocked, CustomerUnblocked };

/** A customer event as `decide` emits it and `evolve` folds it. */
export type CustomerEvent = EventOf<typeof customerEvents>;
