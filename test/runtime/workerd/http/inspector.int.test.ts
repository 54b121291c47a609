import { fixtureWorker } from "../../fixture/support/worker";
import { describe, expect, it } from "vitest";

// GET /inspector: a static shell over the admin API. It must carry no data (it is served without a
// token) and must not let event data run as script.
const get = (path: string) => fixtureWorker.fetch(`https://edge-cqrs.test${path}`);

describe("inspector", () => {
  it("serves the shell without a token, listing the aggregates, under a strict CSP", async () => {
    const response = await get("/inspector");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(response.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    expect(response.headers.get("Content-Security-Policy")).not.toContain("unsafe-inline");
    const html = await response.text();
    expect(html).toContain("<option>account</option><option>payment</option>");
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
  });

  it("serves its script and stylesheet, and the script puts API data in the page as text only", async () => {
    const script = await get("/inspector/inspector.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("Content-Type")).toMatch(/^text\/javascript/);
    const code = await script.text();
    expect(code).toContain("/admin/projections");
    expect(code).toContain("/live?from=");
    // Rebuild progress is shown, and a rebuild starts only after the operator confirms it.
    expect(code).toContain('"/rebuild", { method: "POST" }');
    expect(code).toMatch(/if \(!confirm\([^)]*\)\) return;\s*try \{ const r = await api\("\/admin\/projections\/"/);
    expect(code).toContain("rebuild.done");
    expect(code).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect((await get("/inspector/inspector.css")).headers.get("Content-Type")).toMatch(/^text\/css/);
  });
});
