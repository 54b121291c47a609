import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineAggregate, defineProjection } from "edge-cqrs";
import { renameWords, shadowName } from "../../../src/runtime/rebuild";

// A rebuild runs a projection's own handlers against shadow tables by rewriting the declared
// table names in their SQL: the rule must be exact, since a wrong rewrite writes the live view.
const names = new Map([["balances", shadowName("balances")], ["balance_lines", shadowName("balance_lines")]]);

describe("renameWords", () => {
  it("rewrites a declared table wherever it stands as a whole word, quoted or qualified, in any case", () => {
    expect(renameWords("INSERT INTO balances (id) VALUES (?)", names)).toBe("INSERT INTO balances__rebuild (id) VALUES (?)");
    expect(renameWords('UPDATE "balances" SET n = balances.n + 1', names)).toBe('UPDATE "balances__rebuild" SET n = balances__rebuild.n + 1');
    expect(renameWords("DELETE FROM BALANCES WHERE id IN (SELECT id FROM balance_lines)", names)).toBe(
      "DELETE FROM balances__rebuild WHERE id IN (SELECT id FROM balance_lines__rebuild)",
    );
  });

  it("leaves longer identifiers that merely contain a declared name alone", () => {
    const sql = "SELECT my_balances, balances_old, balances$x, xbalances FROM other";
    expect(renameWords(sql, names)).toBe(sql);
  });
});

describe("defineProjection's tables and version", () => {
  const account = defineAggregate({
    name: "acct",
    commands: { open: z.object({}) },
    events: { Opened: z.object({}) },
    initialState: () => 0,
    decide: () => [],
    evolve: (s: number) => s,
  });
  const base = { name: "p", queue: { name: "q", binding: "Q" }, from: [account], handlers: {} };

  it("defaults to version 1 and no tables", () => {
    expect(defineProjection(base)).toMatchObject({ version: 1, tables: [] });
    expect(defineProjection({ ...base, tables: ["views"], version: 3 })).toMatchObject({ version: 3, tables: ["views"] });
  });

  it("refuses a version that is not a positive integer, and table names that are not plain identifiers or shadow names", () => {
    expect(() => defineProjection({ ...base, version: 0 })).toThrow(/version/);
    expect(() => defineProjection({ ...base, version: 1.5 })).toThrow(/version/);
    expect(() => defineProjection({ ...base, tables: ["views; DROP TABLE x"] })).toThrow(/table names/);
    expect(() => defineProjection({ ...base, tables: ["views__rebuild"] })).toThrow(/table names/);
  });
});
