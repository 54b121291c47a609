import { describe, expect, it } from "vitest";
import { application } from "../../../src/app";
import { contractDrift, contractFiles } from "../../../src/cli/contracts/index.js";
import { contractSchemas } from "edge-cqrs";

// The checked-in JSON Schemas of the public command and event contracts, and of the CloudEvents
// the publishers send to other systems. `npm run contracts` regenerates them with the command a
// user runs (`edge-cqrs contracts --out schema/contracts`); this test fails when the code and the
// files disagree, so a contract never changes without a diff in review.
const CONTRACTS_DIR = "schema/contracts";
const generated = contractSchemas(application.aggregates, application.publishers);

describe("public contracts in schema/contracts", () => {
  it("are exactly what edge-cqrs contracts writes for the example (run npm run contracts)", () => {
    const drift = contractDrift(CONTRACTS_DIR, contractFiles(generated));
    expect({ missing: drift.missing, changed: drift.changed, extra: drift.extra }).toEqual({ missing: [], changed: [], extra: [] });
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
