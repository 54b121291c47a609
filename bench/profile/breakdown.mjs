// Turns a V8 CPU profile of the local isolate into the categories. Every sample's time is
// charged to the innermost frame that says where it is: a runtime or library source file (through
// the bundle's source map) or a named platform call (SQLite, queue sends, D1, hashing, JSON).
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";

const SQLITE = "SQLite";

/** Source paths (after the source map) → category; the first match wins. */
const SOURCE_CATEGORIES = [
  [/node_modules\/hono\//, "routing (hono)"],
  [/node_modules\/(@hono\/zod-openapi|@asteasolutions)\//, "routing (hono)"],
  [/node_modules\/zod\//, "validation (zod)"],
  [/src\/runtime\/auth\//, "auth"],
  [/src\/runtime\/aggregate-object\/request-hash/, "hashing"],
  [/src\/runtime\/(aggregate-client|aggregate-protocol)\//, "RPC (edge ↔ object)"],
  [/src\/runtime\/outbox\//, "outbox (sends, cursors)"],
  [/src\/runtime\/event-store\//, SQLITE],
  [/src\/runtime\/(envelope\/|aggregate-object\/envelope-of)/, "envelope"],
  [/src\/runtime\/consistency\//, "consistency token"],
  [/src\/runtime\/projector\//, "projector"],
  [/src\/runtime\/stream-catalog\//, "stream catalog"],
  [/src\/runtime\/aggregate-object\//, "aggregate object (other)"],
  [/src\/runtime\/http\//, "HTTP edge (runtime)"],
  [/src\/runtime\/(aggregate|decider-testing)\//, "domain (decide, evolve, fold)"],
  [/src\/app\//, "domain (decide, evolve, fold)"],
  [/bench\/fixtures\/domain/, "domain (decide, evolve, fold)"],
  [/bench\/fixtures\//, "bench harness (fill, progress polls)"],
  [/src\/runtime\//, "runtime (other)"],
  [/node_modules\//, "libraries (other)"],
];

/** Platform calls by function name, for frames without a source (native or workerd-internal). */
const NATIVE_CATEGORIES = new Map([
  ["exec", SQLITE],
  ["transactionSync", SQLITE],
  ["toArray", SQLITE],
  ["one", SQLITE],
  ["sendBatch", "queue sends"],
  ["send", "queue sends"],
  ["digest", "hashing"],
  ["setAlarm", "alarm"],
  ["getAlarm", "alarm"],
  ["deleteAlarm", "alarm"],
  ["stringify", "JSON"],
  ["parse", "JSON"],
  ["(garbage collector)", "garbage collection"],
  ["(program)", "workerd outside JavaScript"],
]);
const INTERNAL_URL_CATEGORIES = [
  [/d1-api/, "D1"],
  [/internal_timers/, "timers"],
];
export const IDLE = "(idle)";

/**
 * @param {{ nodes: any[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }} profile
 * @param {{ file: string, text: string } | undefined} bundleMap the bundle's file name (as frames name it) and its source map
 * @returns {{ busyMs: number, wallMs: number, categories: { category: string, ms: number, share: number }[] }}
 */
export function breakdown(profile, bundleMap) {
  const map = bundleMap ? { file: bundleMap.file, trace: new TraceMap(bundleMap.text) } : undefined;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const frameCategory = new Map();
  const categoryOf = (node) => {
    if (frameCategory.has(node.id)) return frameCategory.get(node.id);
    const category = classify(node.callFrame, map);
    frameCategory.set(node.id, category);
    return category;
  };
  const totals = new Map();
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1_000;
    let category;
    let nodeId = id;
    for (; nodeId !== undefined && category === undefined; nodeId = parentOf.get(nodeId)) category = categoryOf(byId.get(nodeId));
    // SQLite's time says more by who asked for it: the command, the outbox, a read.
    if (category === SQLITE) {
      let caller;
      for (; nodeId !== undefined && (caller === undefined || caller === SQLITE); nodeId = parentOf.get(nodeId)) caller = categoryOf(byId.get(nodeId));
      if (caller !== undefined && caller !== SQLITE) category = `${SQLITE}, for the ${caller}`;
    }
    category ??= "unattributed";
    totals.set(category, (totals.get(category) ?? 0) + ms);
  });
  const idle = totals.get(IDLE) ?? 0;
  totals.delete(IDLE);
  const busyMs = [...totals.values()].reduce((a, b) => a + b, 0);
  const categories = [...totals.entries()]
    .map(([category, ms]) => ({ category, ms, share: ms / busyMs }))
    .sort((a, b) => b.ms - a.ms);
  return { busyMs, idleMs: idle, wallMs: (profile.endTime - profile.startTime) / 1_000, categories };
}

function classify(frame, map) {
  if (frame.functionName === IDLE) return IDLE;
  if (map && frame.url === map.file && frame.lineNumber >= 0) {
    const source = originalPositionFor(map.trace, { line: frame.lineNumber + 1, column: frame.columnNumber }).source ?? "";
    return SOURCE_CATEGORIES.find(([pattern]) => pattern.test(source))?.[1];
  }
  for (const [pattern, category] of INTERNAL_URL_CATEGORIES) if (pattern.test(frame.url)) return category;
  if (frame.url === "") return NATIVE_CATEGORIES.get(frame.functionName);
  return undefined;
}
