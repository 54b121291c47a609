import type { MessageSummary, OutcomeSummary } from "./instance-store.js";

/** One command as the instance view shows it. */
export interface CommandView {
  readonly commandId: string;
  readonly aggregate: string;
  readonly id: string;
  readonly command: string;
  readonly payload: unknown;
}

/** What `GET /admin/process-managers/:name/:key` shows of one instance. */
export interface InstanceView {
  readonly manager: string;
  readonly key: string;
  readonly state: unknown;
  /** Messages (events, timers and outcomes) decided on so far. */
  readonly messages: number;
  /** Per followed stream, the highest version decided on: anything at or below it is a duplicate. */
  readonly streams: readonly { readonly streamId: string; readonly version: number }[];
  readonly timers: readonly { readonly id: string; readonly at: string; readonly payload: unknown; readonly attempts: number; readonly lastError: string | null }[];
  /** Commands decided but not yet accepted or refused by their aggregate, oldest first. */
  readonly outbox: readonly (CommandView & { readonly attempts: number; readonly nextAttemptAt: string; readonly lastError: string | null })[];
  /** Commands their aggregate refused, newest first (bounded). */
  readonly rejected: readonly (CommandView & { readonly status: number; readonly error: string; readonly message: string; readonly reason: string | null; readonly rejectedAt: string })[];
  /**
   * Outcomes of sent commands waiting to be decided on, in the order the commands were sent: only
   * for a manager that asked for outcomes, and only while one is due or its decision failed.
   */
  readonly outcomes: readonly (OutcomeSummary & { readonly attempts: number; readonly nextAttemptAt: string; readonly lastError: string | null })[];
  /** Recent decisions, newest first (bounded). */
  readonly decisions: readonly { readonly message: MessageSummary; readonly commands: readonly unknown[]; readonly timers: unknown; readonly decidedAt: string }[];
}
