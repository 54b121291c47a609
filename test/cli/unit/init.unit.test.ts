import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { availableTemplates, initProject } from "../../../src/cli/init/index.js";
import { readProjectConfig } from "../../../src/cli/project/index.js";
import { REPO, repoTempDir } from "../support.js";

// `edge-cqrs init` writes a project from one of the packaged templates: the application (basic),
// or the integration-events consumer docs/integration-events.md tells a user to run, so that
// nothing the docs name lives only in this repository.
const TEMPLATES = join(REPO, "templates");
const scratch = repoTempDir("init-");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix)).flatMap((entry) => {
    const path = join(prefix, entry);
    return statSync(join(dir, path)).isDirectory() ? filesUnder(dir, path) : [path];
  });
}

describe("edge-cqrs init --template", () => {
  it("offers the application and the integration-events consumer", () => {
    expect(availableTemplates(TEMPLATES)).toEqual(["basic", "integration-consumer"]);
  });

  it("writes the integration-events consumer: a Worker of its own, its D1 migrations, no edge-cqrs and no secrets", async () => {
    const target = join(scratch, "orders-consumer");
    const written = initProject({ directory: target, edgeCqrs: "^0.2.0", templatesRoot: TEMPLATES, template: "integration-consumer" });
    expect(written).toEqual(
      expect.arrayContaining([".gitignore", "README.md", "package.json", "tsconfig.json", "wrangler.toml", "src/index.ts", "migrations/0001_create_received_events.sql"]),
    );
    expect(written).not.toContain(".dev.vars.example");
    for (const file of filesUnder(target)) expect(readFileSync(join(target, file), "utf8"), file).not.toContain("{{");
    const manifest = JSON.parse(readFileSync(join(target, "package.json"), "utf8")) as { name: string; dependencies?: object };
    expect(manifest).toMatchObject({ name: "orders-consumer" });
    expect(manifest.dependencies).toBeUndefined();

    // wrangler's own reader: what `wrangler dev -c` and `wrangler deploy -c` will see.
    const config = await readProjectConfig({ cwd: target }, { hideWarnings: true });
    expect(config.d1_databases).toEqual([expect.objectContaining({ binding: "CONSUMER_DB", database_name: "orders-consumer", migrations_dir: "migrations" })]);
    expect(config.queues.consumers).toEqual([expect.objectContaining({ queue: "integration-events", dead_letter_queue: "integration-events-dlq" })]);
  }, 60_000);

  it("still writes the application by default, with its local secrets and their example", () => {
    const written = initProject({ directory: join(scratch, "library"), edgeCqrs: "^0.2.0", templatesRoot: TEMPLATES });
    expect(written).toEqual(expect.arrayContaining([".dev.vars", ".dev.vars.example", "src/app/loan/loan.ts"]));
  });

  it("refuses an unknown template as a usage error, naming the templates, and writes nothing", () => {
    const target = join(scratch, "elsewhere");
    const attempt = () => initProject({ directory: target, edgeCqrs: "^0.2.0", templatesRoot: TEMPLATES, template: "saga" });
    expect(attempt).toThrow(expect.objectContaining({ exitCode: 2, message: 'init: no template "saga" (templates: basic, integration-consumer)' }));
    expect(existsSync(target)).toBe(false);
  });
});
