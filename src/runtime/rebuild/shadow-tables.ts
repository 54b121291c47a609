import { SHADOW_TABLE_SUFFIX } from "../projection/index.js";

/** A table or index of a projection, as `sqlite_master` holds it. */
export interface SchemaObject {
  readonly type: "table" | "index";
  readonly name: string;
  readonly table: string;
  readonly sql: string;
}

/** The name of a table's (or index's) shadow copy. */
export const shadowName = (name: string): string => `${name}${SHADOW_TABLE_SUFFIX}`;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Rewrites every whole-word occurrence of a key of `names` (case-insensitively, as SQLite
 * compares identifiers) to its value. A word is a run of `[A-Za-z0-9_$]`: `balances` matches in
 * `FROM balances`, `"balances"` and `balances.id`, never in `balances_old` or `my_balances`. It
 * matches inside string literals too, so a declared table name must not appear as a value or a
 * column name in the handlers' SQL (docs/guide.md).
 */
export function renameWords(sql: string, names: ReadonlyMap<string, string>): string {
  if (names.size === 0) return sql;
  const words = [...names.keys()].map(escapeRegExp).join("|");
  return sql.replace(new RegExp(`(?<![A-Za-z0-9_$])(?:${words})(?![A-Za-z0-9_$])`, "gi"), (word) => names.get(word.toLowerCase()) ?? word);
}

/** Live name (lower case) to shadow name, for every declared table. */
export function shadowNames(tables: readonly string[]): Map<string, string> {
  return new Map(tables.map((table) => [table.toLowerCase(), shadowName(table)]));
}

/**
 * The database a rebuild hands to the projection's handlers: `prepare` rewrites the declared
 * tables to their shadows, everything else is the real database, so the statements still join the
 * rebuild's own D1 batches.
 */
export function shadowDatabase(db: D1Database, tables: readonly string[]): D1Database {
  const names = shadowNames(tables);
  return {
    prepare: (query: string) => db.prepare(renameWords(query, names)),
    batch: (statements) => db.batch(statements),
    exec: (query: string) => db.exec(renameWords(query, names)),
    withSession: (constraintOrBookmark) => db.withSession(constraintOrBookmark),
    dump: () => db.dump(),
  };
}

/** The live tables and their indexes, as created by the application's migrations; throws when a declared table is missing. */
export async function liveSchema(db: D1Database, tables: readonly string[]): Promise<SchemaObject[]> {
  return schemaOf(db, tables, true);
}

async function schemaOf(db: D1Database, tables: readonly string[], required: boolean): Promise<SchemaObject[]> {
  const { results } = await db
    .prepare(
      `SELECT type, name, tbl_name AS "table", sql FROM sqlite_master
       WHERE type IN ('table', 'index') AND sql IS NOT NULL AND lower(tbl_name) IN (SELECT lower(value) FROM json_each(?1))
       ORDER BY type DESC, name`,
    )
    .bind(JSON.stringify(tables))
    .all<SchemaObject>();
  const found = new Set(results.filter((o) => o.type === "table").map((o) => o.table.toLowerCase()));
  const missing = tables.filter((t) => !found.has(t.toLowerCase()));
  if (required && missing.length > 0) throw new Error(`the declared table(s) ${missing.join(", ")} do not exist: apply the migration that creates them first`);
  return results;
}

/**
 * Fresh shadows of `schema`: any leftover shadow is dropped, then each table is created from its
 * live DDL (so a column a migration added is there) and each index under its shadow name.
 */
export function createShadows(db: D1Database, schema: readonly SchemaObject[]): D1PreparedStatement[] {
  const tables = schema.filter((o) => o.type === "table").map((o) => o.name);
  const names = shadowNames(tables);
  for (const index of schema.filter((o) => o.type === "index")) names.set(index.name.toLowerCase(), shadowName(index.name));
  return [...dropShadows(db, tables), ...schema.map((o) => db.prepare(renameWords(o.sql, names)))];
}

/** Drops the shadows of `tables` (their indexes go with them). */
export function dropShadows(db: D1Database, tables: readonly string[]): D1PreparedStatement[] {
  return tables.map((table) => db.prepare(`DROP TABLE IF EXISTS ${shadowName(table)}`));
}

/**
 * The statements that make the shadows the view: drop each live table, rename its shadow to the
 * live name, drop the shadow's indexes and create the live indexes under their own names from the
 * live DDL. Part of the switch's single D1 batch.
 */
export async function swapShadows(db: D1Database, tables: readonly string[]): Promise<D1PreparedStatement[]> {
  const live = await liveSchema(db, tables);
  const shadows = await schemaOf(db, tables.map(shadowName), false);
  const liveTables = live.filter((o) => o.type === "table").map((o) => o.name);
  return [
    ...liveTables.flatMap((table) => [db.prepare(`DROP TABLE ${table}`), db.prepare(`ALTER TABLE ${shadowName(table)} RENAME TO ${table}`)]),
    ...shadows.filter((o) => o.type === "index").map((o) => db.prepare(`DROP INDEX ${o.name}`)),
    ...live.filter((o) => o.type === "index").map((o) => db.prepare(o.sql)),
  ];
}
