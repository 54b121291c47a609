import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { application } from "../../../src/app";
import { contractSchemas } from "edge-cqrs";

// The checked-in JSON Schemas of the public command and event contracts, and of the CloudEvents
// the publishers send to other systems. `npm run contracts`
// regenerates them; this test fails when the code and the files disagree, so a contract never
// changes without a diff in review.
const CONTRACTS_DIR = "schema/contracts";
const generated = contractSchemas(application.aggregates, application.publishers);

if (process.env.UPDATE_CONTRACTS === "1") {
  for (const { path, schema } of generated) {
    const file = join(CONTRACTS_DIR, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
  }
}

describe("public contracts in schema/contracts", () => {
  it.each(generated.map((c) => [c.path, c.schema] as const))("%s matches the zod schema", (path, schema) => {
    const file = join(CONTRACTS_DIR, path);
    expect(existsSync(file), `${file} is missing: run npm run contracts`).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(schema);
  });

  it("has no file for a contract that no longer exists", () => {
    const expected = new Set(generated.map((c) => c.path));
    const present = ["commands", "events", "public"].flatMap((kind) =>
      existsSync(join(CONTRACTS_DIR, kind)) ? readdirSync(join(CONTRACTS_DIR, kind)).map((f) => `${kind}/${f}`) : [],
    );
    expect(present.filter((p) => !expected.has(p))).toEqual([]);
  });

  it("describes an order placement the way clients send it", () => {
    const place = generated.find((c) => c.path === "commands/order.place.json")?.schema;
    expect(place).toMatchObject({ type: "object", required: ["customerId", "items"], additionalProperties: false });
  });

  it("describes each public event as a whole CloudEvent with the attributes CloudEvents 1.0 requires", () => {
    const published = generated.filter((c) => c.path.startsWith("public/"));
    expect(published.map((c) => c.path).sort()).toEqual(
      ["cancelled", "delivered", "placed", "shipped"].map((what) => `public/com.example.order.${what}.json`),
    );
    for (const { schema } of published) {
      expect(schema).toMatchObject({ type: "object", additionalProperties: false });
      expect(schema.required).toEqual(expect.arrayContaining(["specversion", "id", "source", "type", "time", "subject", "datacontenttype", "data"]));
    }
  });
});
