import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The runtime's folders are modules: another folder is imported only through its index, and no
// two folders import each other, directly or around a loop (type-only imports included).
const ROOT = fileURLToPath(new URL("../../../src/runtime", import.meta.url));
const IMPORT = /^(?:import|export)(?: type)?[^;]*? from "(\.\.?\/[^"]+)"/gm;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const edges: { from: string; to: string; file: string; specifier: string }[] = [];
for (const file of sourceFiles(ROOT)) {
  const [folder, ...rest] = relative(ROOT, file).split("/");
  if (rest.length === 0) continue; // the entry modules at the top compose the folders
  for (const [, specifier] of readFileSync(file, "utf8").matchAll(IMPORT)) {
    const [target, ...inside] = relative(ROOT, normalize(join(dirname(file), specifier!))).split("/");
    if (target !== folder) edges.push({ from: folder!, to: target!, file: relative(ROOT, file), specifier: `${[target, ...inside].join("/")}` });
  }
}

describe("the runtime's module structure", () => {
  it("imports another folder only through its index", () => {
    const deep = edges.filter((e) => !/^[^/]+\/index\.js$/.test(e.specifier)).map((e) => `${e.file} -> ${e.specifier}`);
    expect(deep).toEqual([]);
  });

  it("has no import cycle between folders", () => {
    const next = new Map<string, Set<string>>();
    for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      for (const to of next.get(node) ?? []) {
        if (to === path[0]) cycles.push([...path, to].join(" -> "));
        else if (!path.includes(to) && to > path[0]!) visit(to, [...path, to]);
      }
    };
    for (const start of next.keys()) visit(start, [start]);
    expect(cycles).toEqual([]);
  });
});
