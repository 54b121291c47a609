/** One round trip a Worker makes to D1: a batch, or one statement run on its own. */
export interface D1Call {
  readonly kind: "batch" | "all" | "first" | "run" | "raw";
  readonly statements: readonly { readonly sql: string; readonly params: readonly unknown[] }[];
}

/**
 * The real D1 binding, with `onCall` told of every round trip before it reaches D1: to count
 * queries, or to inject a failure by throwing. Everything else is the real database.
 */
export function watchD1(db: D1Database, onCall: (call: D1Call) => void): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const described = new WeakMap<object, { sql: string; params: unknown[] }>();

  const wrap = (statement: D1PreparedStatement, sql: string, params: unknown[]): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, property) {
        if (property === "bind") return (...values: unknown[]) => wrap(target.bind(...values), sql, values);
        if (property === "all" || property === "first" || property === "run" || property === "raw") {
          return (...args: unknown[]) => {
            onCall({ kind: property, statements: [{ sql, params }] });
            return (target[property] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(proxy, statement);
    described.set(proxy, { sql, params });
    return proxy;
  };

  return new Proxy(db, {
    get(target, property) {
      if (property === "prepare") return (sql: string) => wrap(target.prepare(sql), sql, []);
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          onCall({ kind: "batch", statements: statements.map((s) => described.get(s) ?? { sql: "?", params: [] }) });
          return target.batch(statements.map((s) => real.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
