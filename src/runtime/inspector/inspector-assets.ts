/** The inspector's stylesheet: readable tables, nothing more. */
export const INSPECTOR_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1.5rem 2rem; color: #1d1d1f; }
header { display: flex; gap: 1.5rem; align-items: baseline; flex-wrap: wrap; border-bottom: 1px solid #ddd; }
h1 { font-size: 1.2rem; } h2 { font-size: 1.05rem; margin-top: 1.5rem; }
table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
th, td { border-bottom: 1px solid #eee; padding: .3rem .5rem; text-align: left; vertical-align: top; }
td pre { margin: 0; white-space: pre-wrap; font-size: 12px; }
#status { color: #a00; } button { cursor: pointer; }
`;

/**
 * The inspector's script. Data from the API is only ever placed with textContent, so an event
 * carrying markup cannot run in the operator's browser.
 */
export const INSPECTOR_JS = `
"use strict";
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("edge-cqrs-admin-token") || "";
let socket;
$("token").value = token;
const say = (text) => { $("status").textContent = text; };
const cell = (row, value, pre) => {
  const td = row.insertCell();
  if (pre) { const p = document.createElement("pre"); p.textContent = value; td.append(p); } else td.textContent = value;
  return td;
};
async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: { Authorization: "Bearer " + token, ...(init.headers || {}) } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(response.status + " " + (body.error || "") + ": " + (body.message || ""));
  return body;
}
async function loadProjections() {
  const tbody = $("projections").tBodies[0];
  try {
    const { projections } = await api("/admin/projections");
    tbody.replaceChildren();
    for (const p of projections) {
      const row = tbody.insertRow();
      const lag = p.lag.events + " events on " + p.lag.streams + " streams, oldest " + p.lag.oldestMs + " ms";
      const lastBatch = p.lastBatch ? p.lastBatch.lastLagMs + " ms, " + p.lastBatch.messages + " messages" : "no batch yet";
      const condition = p.filling && p.condition === "filling" ? "filling " + p.filling.streams + "/" + p.filling.total + " streams" : p.condition;
      [p.name, p.kind, condition, p.queue, String(p.streams), String(p.deadLetters), lag, lastBatch].forEach((v) => cell(row, v));
      cell(row, p.failingStreams.map((f) => f.streamId + " @" + f.version + ": " + f.error).join("\\n"), true);
      cell(row, p.version === null ? "" : String(p.version));
      cell(row, rebuildText(p.rebuild), true);
      const actions = row.insertCell();
      const show = document.createElement("button");
      show.textContent = "dead letters";
      show.onclick = () => loadDeadLetters(p.name);
      actions.append(show);
      if (p.kind === "projection") actions.append(rebuildButton(p));
    }
    // A running rebuild's progress is followed without pressing refresh.
    clearTimeout(progressTimer);
    if (projections.some((p) => p.rebuild.state === "rebuilding")) progressTimer = setTimeout(loadProjections, 2000);
    say("");
  } catch (error) { say(String(error)); }
}
let progressTimer;
function rebuildText(rebuild) {
  if (rebuild.state === "rebuilding") {
    const percent = rebuild.total > 0 ? Math.floor((100 * rebuild.done) / rebuild.total) : 0;
    return "rebuilding: " + rebuild.done + "/" + rebuild.total + " streams (" + percent + "%) since " + rebuild.startedAt;
  }
  if (rebuild.state === "failed") return "failed " + rebuild.failedAt + ": " + rebuild.reason;
  return "idle";
}
function rebuildButton(p) {
  const button = document.createElement("button");
  button.textContent = "rebuild";
  button.disabled = p.rebuild.state === "rebuilding";
  button.onclick = async () => {
    if (!confirm("Rebuild " + p.name + " from the full history of its streams? The live view keeps serving until the rebuilt one is switched in.")) return;
    try { const r = await api("/admin/projections/" + encodeURIComponent(p.name) + "/rebuild", { method: "POST" }); await loadProjections(); say("rebuild " + r.rebuildId + " started"); }
    catch (error) { say(String(error)); }
  };
  return button;
}
async function loadDeadLetters(name) {
  const box = $("dead-letters");
  try {
    const { deadLetters } = await api("/admin/projections/" + encodeURIComponent(name) + "/dead-letters");
    const title = document.createElement("h3");
    title.textContent = name + ": " + deadLetters.length + " dead letter(s)";
    const list = document.createElement("pre");
    list.textContent = deadLetters.map((d) => d.streamId + " v" + d.version + " parked " + d.parkedAt + "\\n  " + (d.error || "")).join("\\n");
    const replay = document.createElement("button");
    replay.textContent = "replay all";
    replay.disabled = deadLetters.length === 0;
    replay.onclick = async () => {
      try { const r = await api("/admin/projections/" + encodeURIComponent(name) + "/dead-letters/replay", { method: "POST" }); say("replayed " + r.replayed); await loadProjections(); await loadDeadLetters(name); }
      catch (error) { say(String(error)); }
    };
    box.replaceChildren(title, list, replay);
  } catch (error) { say(String(error)); }
}
function addEvent(envelope) {
  const row = $("events").tBodies[0].insertRow();
  cell(row, String(envelope.version));
  cell(row, envelope.type);
  cell(row, envelope.metadata.recordedAt);
  cell(row, JSON.stringify(envelope.data, null, 1), true);
  cell(row, JSON.stringify(envelope.metadata, null, 1), true);
}
async function openStream(event) {
  event.preventDefault();
  if (socket) { socket.close(); socket = undefined; }
  const path = "/streams/" + encodeURIComponent($("aggregate").value) + "/" + encodeURIComponent($("stream-id").value);
  $("events").tBodies[0].replaceChildren();
  let last = 0;
  try {
    for (let from = 1; ; ) {
      const page = await api(path + "?from=" + from + "&limit=1000");
      page.events.forEach(addEvent);
      if (page.events.length === 0) break;
      last = page.events[page.events.length - 1].version;
      if (last >= page.version) break;
      from = last + 1;
    }
    say("");
  } catch (error) {
    if (!String(error).startsWith("404")) return say(String(error));
    say("no events yet");
  }
  if (!$("follow").checked) return;
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  socket = new WebSocket(scheme + location.host + path + "/live?from=" + last + "&access_token=" + encodeURIComponent(token));
  socket.onmessage = (message) => addEvent(JSON.parse(message.data));
  socket.onclose = () => say("live feed closed");
}
$("token-form").onsubmit = (event) => {
  event.preventDefault();
  token = $("token").value;
  sessionStorage.setItem("edge-cqrs-admin-token", token);
  loadProjections();
};
$("refresh").onclick = loadProjections;
$("stream-form").onsubmit = openStream;
if (token) loadProjections();
`;
