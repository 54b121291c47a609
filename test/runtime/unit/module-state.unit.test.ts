import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// What one runtime remembers lives on its RuntimeContext, never in a module (docs/decisions.md,
// H7): a module's state is shared by every runtime of an isolate. So no module of the runtime
// declares, at its top level or as a static field, a variable (`let`, `var`) or a collection it
// could fill (`new Map`, `new Set`, `new WeakMap`, `new WeakSet`; a lookup table typed
// `ReadonlySet` or `ReadonlyMap` is a constant). Read from the syntax tree, so the inspector's
// browser code, a string, is not mistaken for the runtime's.
const ROOT = fileURLToPath(new URL("../../../src/runtime", import.meta.url));
const COLLECTIONS = new Set(["Map", "Set", "WeakMap", "WeakSet"]);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Whether `initializer` makes a collection that `type` does not declare read-only. */
const isFillable = (initializer: ts.Expression | undefined, type: ts.TypeNode | undefined): boolean =>
  initializer !== undefined &&
  ts.isNewExpression(initializer) &&
  ts.isIdentifier(initializer.expression) &&
  COLLECTIONS.has(initializer.expression.text) &&
  !(type && ts.isTypeReferenceNode(type) && /^Readonly(Set|Map)$/.test(type.typeName.getText()));

const isStatic = (member: ts.ClassElement) => ts.getModifiers(member as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword) ?? false;
const isReadonly = (member: ts.ClassElement) => ts.getModifiers(member as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword) ?? false;

/** Each module-scope declaration of mutable state in `source` (named `file`), as `file:line name`. */
function moduleState(file: string, source: string): string[] {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const where = (node: ts.Node, name: string) => `${file}:${tree.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${name}`;
  const found: string[] = [];
  const visitClass = (declaration: ts.ClassLikeDeclaration) => {
    for (const member of declaration.members) {
      if (!ts.isPropertyDeclaration(member) || !isStatic(member)) continue;
      if (!isReadonly(member) || isFillable(member.initializer, member.type)) found.push(where(member, `static ${member.name.getText(tree)}`));
    }
  };
  for (const statement of tree.statements) {
    const declarations = ts.isVariableStatement(statement) ? statement.declarationList : undefined;
    if (declarations) {
      const mutable = !(declarations.flags & (ts.NodeFlags.Const | ts.NodeFlags.Using));
      for (const d of declarations.declarations) {
        if (mutable || isFillable(d.initializer, d.type)) found.push(where(d, d.name.getText(tree)));
        if (d.initializer && ts.isClassExpression(d.initializer)) visitClass(d.initializer);
      }
    }
    if (ts.isClassDeclaration(statement)) visitClass(statement);
  }
  return found;
}

describe("the runtime's modules", () => {
  it("hold no mutable state at module scope: what a runtime remembers is on its context", () => {
    const files = sourceFiles(ROOT);
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap((file) => moduleState(relative(ROOT, file), readFileSync(file, "utf8")))).toEqual([]);
  });

  it.each([
    ["const seen = new Map<string, number>();", "seen"],
    ["export const idle = new Set<string>();", "idle"],
    ["const ready = new WeakMap<object, Promise<void>>();", "ready"],
    ["const parked: Set<string> = new Set();", "parked"],
    ["let waiters = 0;", "waiters"],
    ["var count;", "count"],
    ["export class Metrics { static reported = false; }", "static reported"],
    ["class Cache { static readonly entries = new Map(); }", "static entries"],
  ])("would catch %s", (source, name) => {
    expect(moduleState("a.ts", source)).toEqual([`a.ts:1 ${name}`]);
  });

  it("lets constants, functions' own variables and a class's instance fields be", () => {
    const source = [
      "const LIMIT = 10;",
      "const encoder = new TextEncoder();",
      'const RESERVED: ReadonlySet<string> = new Set(["eventId"]);',
      'const PAGE = `let token = ""; const seen = new Map();`;',
      "export class Memory { private readonly seen = new Map<string, number>(); static readonly none = new Memory(); }",
      "export function count(): number { let n = 0; const s = new Set(); for (let i = 0; i < LIMIT; i++) n += s.size; return n; }",
    ].join("\n");
    expect(moduleState("a.ts", source)).toEqual([]);
  });
});
