/**
 * The inspector's HTML shell. It holds no data: every request it makes carries the admin token the
 * operator types in (kept in sessionStorage, never in a URL except the live socket's, which
 * browsers cannot give headers).
 */
export function inspectorPage(aggregates: readonly string[]): string {
  const options = aggregates.map((name) => `<option>${escapeHtml(name)}</option>`).join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edge-cqrs inspector</title>
<link rel="stylesheet" href="/inspector/inspector.css">
</head>
<body>
<header><h1>edge-cqrs inspector</h1>
<form id="token-form"><label>Admin token <input id="token" type="password" autocomplete="off" required></label><button>Use</button></form>
<p id="status" role="status"></p></header>
<main>
<section aria-labelledby="projections-title"><h2 id="projections-title">Projections <button id="refresh" type="button">Refresh</button></h2>
<table id="projections"><thead><tr><th>name</th><th>kind</th><th>condition</th><th>queue</th><th>streams</th><th>dead letters</th><th>lag</th><th>last batch</th><th>failing streams</th><th>version</th><th>rebuild</th><th></th></tr></thead><tbody></tbody></table>
<div id="dead-letters"></div></section>
<section aria-labelledby="stream-title"><h2 id="stream-title">Stream</h2>
<form id="stream-form"><select id="aggregate">${options}</select> / <input id="stream-id" placeholder="id" required pattern="[A-Za-z0-9._~\\-]{1,128}">
<label><input id="follow" type="checkbox"> follow live</label><button>Open</button></form>
<table id="events"><thead><tr><th>version</th><th>type</th><th>recorded</th><th>data</th><th>metadata</th></tr></thead><tbody></tbody></table></section>
</main>
<script src="/inspector/inspector.js" defer></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
