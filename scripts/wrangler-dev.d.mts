/** Options of {@link startWranglerDev}. */
export interface WranglerDevOptions {
  /** Port for the Worker; a free one on 127.0.0.1 when absent. */
  port?: number;
  /** State directory; a fresh temp directory (removed by stop()) when absent. */
  persistTo?: string;
  /** How long to wait for GET /health to answer 200, in ms (default 60 000). */
  timeoutMs?: number;
  /** Wrangler configuration file, relative to the repository root (default `wrangler.toml`). */
  config?: string;
  /** D1 binding whose local migrations are applied before the start (default `READ_DB`); false for none. */
  migrate?: string | false;
  /** Secrets file, relative to the repository root; by default wrangler reads the `.dev.vars` beside the config. */
  envFile?: string;
  /** wrangler's `--log-level` (default `warn`); `log` also prints the Worker's own `console.log` lines, for tests that read them. */
  logLevel?: "warn" | "log";
}

/** A running `wrangler dev`. */
export interface WranglerDev {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43817`. */
  readonly url: string;
  /** Kills wrangler and its workerd children, then removes the temp state directory. */
  stop(): Promise<void>;
  /** The tail of wrangler's output (warnings and errors at `--log-level warn`; the Worker's log lines too at `log`). */
  logs(): string;
  /** The process group of wrangler and workerd: for reading its memory, never for signalling. */
  readonly pid: number | undefined;
}

/**
 * Applies the local D1 migrations into a state directory and starts `wrangler dev` on it.
 * Resolves once `GET /health` answers 200; rejects with the process output otherwise.
 */
export function startWranglerDev(options?: WranglerDevOptions): Promise<WranglerDev>;

/** A port the OS considers free right now on 127.0.0.1. */
export function freePort(): Promise<number>;
