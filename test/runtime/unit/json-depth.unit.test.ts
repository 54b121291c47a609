import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../../src/runtime/http";
import { nestsDeeperThan } from "../../../src/runtime/http/json-depth";

const arrays = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

describe("nestsDeeperThan", () => {
  it("measures arrays and objects alike, and mixed", () => {
    expect(nestsDeeperThan(arrays(3), 3)).toBe(false);
    expect(nestsDeeperThan(arrays(4), 3)).toBe(true);
    expect(nestsDeeperThan(objects(3), 3)).toBe(false);
    expect(nestsDeeperThan(objects(4), 3)).toBe(true);
    expect(nestsDeeperThan('{"a":[{"b":[1]}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[[1]]}]}', 4)).toBe(true);
  });

  it("counts depth, not the number of siblings", () => {
    expect(nestsDeeperThan(`[${Array.from({ length: 1_000 }, () => "[]").join(",")}]`, 2)).toBe(false);
  });

  it("ignores brackets inside strings, escaped quotes and backslashes included", () => {
    expect(nestsDeeperThan(`["${"[{".repeat(100)}"]`, 1)).toBe(false);
    expect(nestsDeeperThan(`["\\"[[[[", "\\\\"]`, 1)).toBe(false);
    expect(nestsDeeperThan(`["\\\\", [[1]]]`, 2)).toBe(true);
  });

  it("sees scalars and empty text as depth 0", () => {
    expect(nestsDeeperThan("", 0)).toBe(false);
    expect(nestsDeeperThan('"[[["', 0)).toBe(false);
    expect(nestsDeeperThan("42", 0)).toBe(false);
  });

  it(`stops at the first level past the limit, even in a 60 KB body (limit ${MAX_JSON_DEPTH})`, () => {
    expect(nestsDeeperThan(arrays(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(nestsDeeperThan(arrays(30_000), MAX_JSON_DEPTH)).toBe(true);
  });
});
