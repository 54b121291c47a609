import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("open routes", () => {
  it("answers /health without a token", async () => {
    const response = await exports.default.fetch("https://example.com/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});
