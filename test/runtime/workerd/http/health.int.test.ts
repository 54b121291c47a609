import { fixtureWorker } from "../../fixture/support/worker";
import { describe, expect, it } from "vitest";

describe("open routes", () => {
  it("answers /health without a token", async () => {
    const response = await fixtureWorker.fetch("https://example.com/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});
