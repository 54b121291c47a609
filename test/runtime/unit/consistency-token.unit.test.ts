import { describe, expect, it } from "vitest";
import { encodeConsistencyToken, parseConsistencyTokens } from "../../../src/runtime/consistency";
import { canonicalJson } from "../../../src/runtime/aggregate-object/request-hash";

describe("consistency tokens", () => {
  it("round-trip positions, URL-safe and without commas", () => {
    const positions = [
      { streamId: "order/o-1", version: 3 },
      { streamId: "delivery/A.z_~-9", version: 12 },
    ];
    const token = encodeConsistencyToken(positions);
    expect(token).toMatch(/^[A-Za-z0-9_.~-]+$/);
    expect(parseConsistencyTokens(token)).toEqual(positions);
  });

  it("merge comma-separated tokens, keeping the highest version per stream", () => {
    const a = encodeConsistencyToken([{ streamId: "order/o-1", version: 2 }]);
    const b = encodeConsistencyToken([{ streamId: "order/o-1", version: 5 }]);
    const c = encodeConsistencyToken([{ streamId: "delivery/d-1", version: 1 }]);
    expect(parseConsistencyTokens(`${b},${a}, ${c}`)).toEqual([
      { streamId: "order/o-1", version: 5 },
      { streamId: "delivery/d-1", version: 1 },
    ]);
  });

  it.each(["", "garbage", "b3JkZXIvby0x", "b3JkZXIvby0x.", "b3JkZXIvby0x.-1", "b3JkZXIvby0x.1.5", "b3JkZXIvby0x.01", "!!.1", "bm9zbGFzaA.1"])(
    "refuse %j with 400 invalid_token",
    (token) => {
      expect(() => parseConsistencyTokens(token)).toThrow(expect.objectContaining({ status: 400, code: "invalid_token" }));
    },
  );

  it("refuse more than 100 positions", () => {
    const many = Array.from({ length: 101 }, (_, i) => encodeConsistencyToken([{ streamId: `order/o-${i}`, version: 1 }])).join(",");
    expect(() => parseConsistencyTokens(many)).toThrow(expect.objectContaining({ code: "invalid_token" }));
  });
});

describe("canonical JSON for idempotency fingerprints", () => {
  it("is the same for the same payload whatever the key order, at every depth", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }));
  });

  it("differs when a value or array order differs", () => {
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: "1" }));
  });
});
