import type { CommittedCheckpoints } from "../../src/runtime/consistency";
import { bindings } from "./worker-under-test";

/** A table of a read model and the columns that order its rows canonically. */
export type ReadModelTable = readonly [table: string, orderBy: string];

/**
 * Dump and reset for the read model made of `tables` (views plus checkpoints) in READ_DB: how the
 * exactly-once tests compare a shuffled run with an in-order one. `committed` is the memory of
 * the runtime the tests deliver to (`runtimeContextOf(runtime).committed`).
 */
export function readModelOf(tables: readonly ReadModelTable[], committed: CommittedCheckpoints) {
  return {
    /** The tables as canonical JSON: two dumps are equal iff the read model is. */
    async dumpReadModel(): Promise<string> {
      const results = await bindings.READ_DB.batch(tables.map(([table, key]) => bindings.READ_DB.prepare(`SELECT * FROM ${table} ORDER BY ${key}`)));
      return JSON.stringify(Object.fromEntries(tables.map(([table], i) => [table, results[i]!.results])), null, 1);
    },
    /**
     * Empties the tables (and the failure log and catalog) so the next trial starts from nothing,
     * and makes the runtime forget the checkpoints it committed, as a restart would.
     */
    async resetReadModel(): Promise<void> {
      await bindings.READ_DB.batch(
        [...tables.map(([table]) => table), "projection_errors", "stream_catalog"].map((table) => bindings.READ_DB.prepare(`DELETE FROM ${table}`)),
      );
      committed.forgetAll();
    },
  };
}
