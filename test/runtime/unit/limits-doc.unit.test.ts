import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RESERVED_METADATA_KEYS } from "../../../src/runtime/envelope";
import { MAX_BODY_BYTES, MAX_JSON_DEPTH } from "../../../src/runtime/http";
import { RUNTIME_COMMAND_ID_PREFIX } from "../../../src/runtime/ids";

// docs/limits.md is what users read about the edge's refusals: it must name what the code refuses.

const limits = readFileSync(new URL("../../../docs/limits.md", import.meta.url), "utf8");
const httpEdge = limits.slice(limits.indexOf("## HTTP edge"), limits.indexOf("\n## ", limits.indexOf("## HTTP edge") + 1));

describe("the HTTP edge section of docs/limits.md", () => {
  it("lists every reserved metadata key", () => {
    const missing = [...RESERVED_METADATA_KEYS].filter((key) => !httpEdge.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });

  it("states the nesting depth, the body size and the reserved command-id prefix", () => {
    expect(httpEdge).toContain(`${MAX_JSON_DEPTH} levels`);
    expect(httpEdge).toContain(`${MAX_BODY_BYTES / 1024} KiB`);
    expect(httpEdge).toContain(`\`${RUNTIME_COMMAND_ID_PREFIX}\``);
  });
});
