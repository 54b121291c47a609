/**
 * The value stored under `key` in a plain record, or undefined when the record has no own
 * property of that name. Names that arrive from a request (`__proto__`, `constructor`,
 * `toString`, …) would otherwise find `Object.prototype`'s members and reach code that expects
 * a schema or a handler; every lookup of an outside name goes through here or through a `Map`.
 */
export function ownEntry<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
