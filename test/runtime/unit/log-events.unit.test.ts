import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// A log line's `event` is what operators filter on: every one the runtime writes is a row of the
// table in docs/operations.md ("The lines, by `event`"), and the table names no line that is gone.
const ROOT = fileURLToPath(new URL("../../../src/runtime", import.meta.url));
const OPERATIONS = fileURLToPath(new URL("../../../docs/operations.md", import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const written = new Set(sourceFiles(ROOT).flatMap((file) => [...readFileSync(file, "utf8").matchAll(/\bevent: "([^"]+)"/g)].map((m) => m[1]!)));

function documented(): Set<string> {
  const text = readFileSync(OPERATIONS, "utf8");
  const table = text.slice(text.indexOf("The lines, by `event`:"));
  const rows = table.slice(0, table.indexOf("\n\n", table.indexOf("|")));
  return new Set([...rows.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!).filter((name) => name !== "event"));
}

describe("the runtime's log events", () => {
  it("are each documented in docs/operations.md, and the table lists no other", () => {
    expect(written.size).toBeGreaterThan(20);
    expect([...documented()].sort()).toEqual([...written].sort());
  });
});
