import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { devVarsCommand } from "../../../src/cli/dev-vars/index.js";

// A fresh clone has the committed .dev.vars.example but not the git-ignored .dev.vars.
let project: string;
let lines: string[];
const context = () => ({ cwd: project, out: (text: string) => void lines.push(text), err: (text: string) => void lines.push(text) });

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), "edge-cqrs-dev-vars-"));
  lines = [];
  writeFileSync(join(project, "wrangler.toml"), 'name = "x"\n');
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

describe("edge-cqrs dev-vars", () => {
  it("creates .dev.vars from the example in a fresh clone", async () => {
    writeFileSync(join(project, ".dev.vars.example"), "API_TOKEN=dev-api-token\nADMIN_TOKEN=dev-admin-token\n");
    expect(await devVarsCommand.run([], context())).toBe(0);
    expect(readFileSync(join(project, ".dev.vars"), "utf8")).toBe("API_TOKEN=dev-api-token\nADMIN_TOKEN=dev-admin-token\n");
    expect(lines).toEqual(["created .dev.vars from .dev.vars.example (local development secrets)"]);
  });

  it("never overwrites an existing .dev.vars", async () => {
    writeFileSync(join(project, ".dev.vars.example"), "API_TOKEN=dev-api-token\n");
    writeFileSync(join(project, ".dev.vars"), "API_TOKEN=my-own\n");
    expect(await devVarsCommand.run([], context())).toBe(0);
    expect(readFileSync(join(project, ".dev.vars"), "utf8")).toBe("API_TOKEN=my-own\n");
    expect(lines).toEqual([]);
  });

  it("works from a subdirectory, beside the configuration it finds upwards", async () => {
    writeFileSync(join(project, ".dev.vars.example"), "API_TOKEN=dev-api-token\n");
    mkdirSync(join(project, "src"));
    expect(await devVarsCommand.run([], { ...context(), cwd: join(project, "src") })).toBe(0);
    expect(readFileSync(join(project, ".dev.vars"), "utf8")).toBe("API_TOKEN=dev-api-token\n");
  });

  it("says so, and exits 0, when there is no example to copy", async () => {
    expect(await devVarsCommand.run([], context())).toBe(0);
    expect(lines).toEqual(["no .dev.vars.example to copy: local secrets stay unset (add them to .dev.vars)"]);
  });
});
