// A minimal Chrome DevTools Protocol client over the inspector WebSocket wrangler dev exposes
// (one target, "Cloudflare Worker": the Worker and its Durable Objects share the isolate locally).
import WebSocket from "ws";

/** A CDP call that takes this long means the inspector is gone. */
const CALL_TIMEOUT_MS = 60_000;

/** @param {number} inspectorPort */
export async function connectInspector(inspectorPort) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const target = targets[0];
  if (!target?.webSocketDebuggerUrl) throw new Error(`no inspector target on port ${inspectorPort}: ${JSON.stringify(targets)}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  let nextId = 1;
  const pending = new Map();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
    else waiter.resolve(message.result);
  });
  /** @param {string} method @param {object} [params] */
  function send(method, params = {}) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer in ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
      pending.set(id, {
        method,
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      socket.send(JSON.stringify({ id, method, params }));
    });
  }
  return { send, close: () => socket.close() };
}

/**
 * Samples the isolate's CPU while `during` runs and returns the V8 CPU profile.
 * @param {number} inspectorPort
 * @param {() => Promise<void>} during
 * @param {number} samplingIntervalUs
 */
export async function cpuProfile(inspectorPort, during, samplingIntervalUs = 200) {
  const inspector = await connectInspector(inspectorPort);
  try {
    await inspector.send("Profiler.enable");
    await inspector.send("Profiler.setSamplingInterval", { interval: samplingIntervalUs });
    await inspector.send("Profiler.start");
    await during();
    const { profile } = await inspector.send("Profiler.stop");
    return profile;
  } finally {
    inspector.close();
  }
}
