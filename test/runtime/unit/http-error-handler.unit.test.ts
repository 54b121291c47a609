import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { errorResponse } from "../../../src/runtime/http/error-handler";

afterEach(() => vi.restoreAllMocks());

describe("an unexpected error in a route", () => {
  it("answers a bare 500 and writes one http.unhandled-error line that keeps the stack", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const app = new Hono();
    app.onError(errorResponse);
    app.get("/boom", function brokenRoute() {
      throw new TypeError("cannot read the thing");
    });

    const response = await app.request("/boom");

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "internal_error", message: "the server failed to handle the request" });
    expect(error).toHaveBeenCalledTimes(1);
    const line = JSON.parse(error.mock.calls[0]![0] as string);
    expect(line).toMatchObject({ level: "error", event: "http.unhandled-error", method: "GET", path: "/boom", error: "TypeError: cannot read the thing" });
    // The body never shows the stack; the operator's line does.
    expect(line.stack).toContain("brokenRoute");
  });
});
