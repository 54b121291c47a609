import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createCommands } from "../../../src/cli/bindings/create-commands.js";
import { readProjectApplication, type ProjectApplication } from "../../../src/cli/project/index.js";
import { fencedBlocks, shellCommands } from "../../support/markdown-blocks.js";
import { REPO } from "../support.js";

// docs/deploying.md shows what `edge-cqrs bindings` prints for the example application, the
// resources to create before a first deploy. The list is rendered here from the same manifest
// `edge-cqrs check` compares wrangler.toml with, so the doc cannot miss a queue: the stream
// catalog's, a process manager's, a publisher's and its integration queue, every dead-letter
// queue. (The guide's list, for its own project, is checked the same way by the package test.)
const CREATES = /^npx wrangler (?:d1 create|queues create|secret put) /;

let example: ProjectApplication;

beforeAll(async () => {
  example = await readProjectApplication({ cwd: REPO, hideWarnings: true });
}, 60_000);

describe("the deploy list in docs/deploying.md", () => {
  it("is what edge-cqrs bindings prints for the example, command for command", () => {
    const doc = readFileSync(join(REPO, "docs/deploying.md"), "utf8");
    const listed = fencedBlocks("docs/deploying.md", doc)
      .map((block) => shellCommands(block).filter((command) => CREATES.test(command)))
      .filter((commands) => commands.some((c) => c.includes("queues create")));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toEqual(createCommands(example.manifest, example.config));
  });

  it("names every kind of queue the example needs", () => {
    const queues = createCommands(example.manifest, example.config).filter((c) => c.includes("queues create")).map((c) => c.split(" ").at(-1));
    expect(queues).toEqual(
      expect.arrayContaining(["order-details", "order-details-dlq", "process-managers", "process-managers-dlq", "order-integration", "integration-events", "stream-catalog"]),
    );
  });
});
