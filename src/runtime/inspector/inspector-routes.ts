import type { OpenAPIHono } from "@hono/zod-openapi";
import { INSPECTOR_CSS, INSPECTOR_JS } from "./inspector-assets.js";
import { inspectorPage } from "./inspector-page.js";

// Scripts and styles come only from this origin; data goes only to it (HTTP and the live socket).
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/**
 * `GET /inspector`: a browser view of projections, dead letters and streams, over the admin API.
 * The shell and its assets are static and carry no data, so they are served without a token.
 */
export function mountInspector(app: OpenAPIHono<{ Bindings: object }>, aggregates: readonly string[]): void {
  const page = inspectorPage(aggregates);
  const headers = { "Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache" };
  app.get("/inspector", (c) => c.html(page, 200, headers));
  app.get("/inspector/inspector.js", (c) => c.body(INSPECTOR_JS, 200, { ...headers, "Content-Type": "text/javascript; charset=utf-8" }));
  app.get("/inspector/inspector.css", (c) => c.body(INSPECTOR_CSS, 200, { ...headers, "Content-Type": "text/css; charset=utf-8" }));
}
