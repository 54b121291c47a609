import { z } from "zod";
import type { CommandOf } from "edge-cqrs";
import { MAX_REASON_LENGTH } from "../order/events";
import { MAX_NAME_LENGTH } from "./events";

/** The customer's commands (the last segment of `POST /commands/customer/:id/:command`) and their payloads. */
export const customerCommands = {
  register: z.object({ name: z.string().min(1).max(MAX_NAME_LENGTH) }).strict(),
  block: z.object({ reason: z.string().min(1).max(MAX_REASON_LENGTH) }).strict(),
  unblock: z.object({}).strict(),
};

/** A customer command as `decide` sees it. */
export type CustomerCommand = CommandOf<typeof customerCommands>;
