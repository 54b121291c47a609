import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError } from "../../../src/cli/cli-error.js";
import { loadApplication, resolveAppModule } from "../../../src/cli/project/index.js";
import { DEFAULT_AGGREGATES_BINDING, manifestOf } from "../../../src/runtime/manifest/index.js";
import { FIXTURE_APP } from "../support.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "edge-cqrs-app-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function moduleFile(name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

async function loadError(path: string): Promise<CliError> {
  const error = await loadApplication(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CliError)) throw new Error(`expected a CliError, got ${String(error)}`);
  return error;
}

describe("loading the application's definitions", () => {
  it("bundles a TypeScript module that imports cloudflare:workers and reads what decides its bindings", async () => {
    const application = await loadApplication(FIXTURE_APP);
    expect(application).toMatchObject({
      aggregates: [{ name: "loan" }],
      projections: [
        {
          name: "loans-by-member",
          database: "READ_DB",
          queue: { name: "loans-by-member", binding: "LOANS_BY_MEMBER_QUEUE", deadLetterQueue: "loans-by-member-dlq" },
        },
      ],
      processManagers: [
        {
          name: "overdue-reminders",
          database: "READ_DB",
          queue: { name: "overdue-reminders", binding: "OVERDUE_REMINDERS_QUEUE", deadLetterQueue: "overdue-reminders-dlq" },
        },
      ],
    });
    expect(manifestOf(application).find((r) => r.kind === "durable-object-namespace")?.name).toBe(DEFAULT_AGGREGATES_BINDING);
  });

  it("takes the default export and the application's own aggregates binding", async () => {
    const path = moduleFile("app.ts", `export default { title: "t", version: "1", aggregates: [{ name: "loan" }], bindings: { aggregates: "LOANS" } };`);
    const application = await loadApplication(path);
    expect(application).toMatchObject({ aggregates: [{ name: "loan" }], bindings: { aggregates: "LOANS" } });
    expect(manifestOf(application).filter((r) => r.kind === "durable-object-namespace").map((r) => r.name)).toEqual(["LOANS"]);
  });

  it("fails clearly when the module exports no application", async () => {
    const error = await loadError(moduleFile("app.ts", "export const somethingElse = 1;"));
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain("exports no application");
  });

  it("names the field when the export is not an application", async () => {
    const error = await loadError(moduleFile("app.ts", `export const application = { aggregates: [{ name: "loan" }], projections: [{ name: "p", database: "DB" }] };`));
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain("projections.0.queue");
  });

  it("reports a module that does not build", async () => {
    const error = await loadError(moduleFile("app.ts", `import { missing } from "./nowhere";\nexport const application = missing;`));
    expect(error.message).toContain("does not build");
  });
});

describe("finding the application module", () => {
  it("prefers --app, then package.json's edge-cqrs.app, then src/app/index.ts", () => {
    moduleFile("custom.ts", "");
    moduleFile("from-manifest.ts", "");
    moduleFile("package.json", JSON.stringify({ name: "x", "edge-cqrs": { app: "from-manifest.ts" } }));
    expect(resolveAppModule(dir, "custom.ts")).toBe(join(dir, "custom.ts"));
    expect(resolveAppModule(dir)).toBe(join(dir, "from-manifest.ts"));
  });

  it("is a usage error when the module does not exist", () => {
    expect(() => resolveAppModule(dir)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining("src/app/index.ts") }));
  });
});
