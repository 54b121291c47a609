/** Options of {@link startWranglerDev}. */
export interface WranglerDevOptions {
  /** Port for the Worker; a free one on 127.0.0.1 when absent. */
  port?: number;
  /** State directory; a fresh temp directory (removed by stop()) when absent. */
  persistTo?: string;
  /** How long to wait for GET /health to answer 200, in ms (default 60 000). */
  timeoutMs?: number;
}

/** A running `wrangler dev`. */
export interface WranglerDev {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43817`. */
  readonly url: string;
  /** Kills wrangler and its workerd children, then removes the temp state directory. */
  stop(): Promise<void>;
  /** The tail of wrangler's output (warnings and errors at `--log-level warn`). */
  logs(): string;
}

/**
 * Applies the local D1 migrations into a state directory and starts `wrangler dev` on it.
 * Resolves once `GET /health` answers 200; rejects with the process output otherwise.
 */
export function startWranglerDev(options?: WranglerDevOptions): Promise<WranglerDev>;
