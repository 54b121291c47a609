/**
 * What one runtime remembers of its projections' rebuilds, so a live batch asks D1 nothing about
 * them in the common case: which projections it last found with no rebuild running, and which it
 * has checked against their definition already. Keys name the D1 binding as well as the
 * projection (two databases may hold projections of the same name).
 */
export class RebuildMemory {
  private readonly idle = new Set<string>();
  /** Projections last found never built (version 0, no rebuild): checked after each batch until their view is complete. */
  private readonly filling = new Set<string>();
  // Keyed by the database the check ran against; weakly, so a discarded one is let go.
  private readonly reconciled = new WeakMap<D1Database, Set<string>>();

  /** Whether `projection` was last found with no rebuild running. */
  isIdle(database: string, projection: string): boolean {
    return this.idle.has(keyOf(database, projection));
  }

  /** Records what a read of the projection's state found. */
  found(database: string, projection: string, rebuilding: boolean): void {
    if (rebuilding) this.idle.delete(keyOf(database, projection));
    else this.idle.add(keyOf(database, projection));
  }

  /** Whether `projection` was last found filling (see {@link RebuildMemory.filling}). */
  isFilling(database: string, projection: string): boolean {
    return this.filling.has(keyOf(database, projection));
  }

  /** Records whether a read of the projection's state found it filling. */
  foundFilling(database: string, projection: string, filling: boolean): void {
    if (filling) this.filling.add(keyOf(database, projection));
    else this.filling.delete(keyOf(database, projection));
  }

  /** True the first time it is asked about `projection` in `db`, false ever after: its check runs once. */
  firstCheck(db: D1Database, projection: string): boolean {
    const done = this.reconciled.get(db) ?? new Set<string>();
    this.reconciled.set(db, done);
    if (done.has(projection)) return false;
    done.add(projection);
    return true;
  }
}

const keyOf = (database: string, projection: string) => `${database}\u0000${projection}`;
