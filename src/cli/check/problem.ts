import type { ConfigEntry, ConfigSection } from "../../runtime/manifest/index.js";

/** What the user does about a problem: edit one block of the configuration, edit .dev.vars, or run a command. */
export type Fix =
  | { readonly kind: "add"; readonly section: ConfigSection; readonly entry: ConfigEntry; readonly note?: string }
  | { readonly kind: "replace"; readonly section: ConfigSection; readonly entry: ConfigEntry; readonly note?: string }
  | { readonly kind: "remove"; readonly section: ConfigSection; readonly entry: ConfigEntry; readonly note?: string }
  | { readonly kind: "dev-vars"; readonly lines: readonly string[] }
  | { readonly kind: "run"; readonly command: string };

/** Every kind of mistake `edge-cqrs check` knows, one code each so scripts and tests can tell them apart. */
export type ProblemCode =
  | "aggregates-binding-missing"
  | "aggregates-binding-stray"
  | "aggregates-class-without-migration"
  | "aggregates-class-not-sqlite"
  | "process-managers-binding-missing"
  | "process-managers-class-without-migration"
  | "process-managers-class-not-sqlite"
  | "queue-producer-missing"
  | "queue-producer-wrong-queue"
  | "queue-producer-stray"
  | "queue-consumer-missing"
  | "queue-consumer-stray"
  | "queue-consumer-settings-implicit"
  | "dead-letter-queue-missing"
  | "dead-letter-queue-mismatch"
  | "dead-letter-consumer-missing"
  | "dead-letter-queue-undefined"
  | "d1-binding-missing"
  | "d1-migrations-dir-missing"
  | "d1-migrations-dir-not-found"
  | "d1-migrations-not-applied"
  | "d1-migrations-state-unknown"
  | "secret-missing"
  | "stream-catalog-producer-missing"
  | "stream-catalog-consumer-missing"
  | "stream-sweep-cron-missing"
  | "metrics-binding-missing";

/** Errors make `check` exit 1; warnings are printed and do not. */
export type Severity = "error" | "warning";

/** One thing wrong with the project, said in words, with the exact change that fixes it. */
export interface Problem {
  readonly code: ProblemCode;
  readonly severity: Severity;
  readonly message: string;
  readonly fix?: Fix;
}

/** A problem that makes `check` exit 1. */
export const error = (code: ProblemCode, message: string, fix?: Fix): Problem => (fix ? { code, severity: "error", message, fix } : { code, severity: "error", message });
/** A problem `check` prints without failing. */
export const warning = (code: ProblemCode, message: string, fix?: Fix): Problem => (fix ? { code, severity: "warning", message, fix } : { code, severity: "warning", message });
