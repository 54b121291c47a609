import { bindings } from "./worker-under-test";

/** Rows of one query on the Worker's READ_DB, for assertions. */
export async function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
  return (await bindings.READ_DB.prepare(sql).bind(...params).all<T>()).results;
}
