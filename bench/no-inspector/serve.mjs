// One local dev server without an inspector, in a Node process of its own: wrangler's programmatic
// dev server (`unstable_startWorker`, `inspector: false`) parses and source-maps every line the
// Worker logs, in Node; in the bench's own process that work would share a core's event loop with
// the load generator and slow the load instead of the server. Started by `startWithoutInspector`:
//
//   node bench/no-inspector/serve.mjs <wrangler.toml> <state dir> <.dev.vars>
//
// prints one JSON line `{"url": …}` once the server answers, and disposes of it on SIGTERM.
import { unstable_startWorker } from "wrangler";

const [config, persist, envFile] = process.argv.slice(2);
const worker = await unstable_startWorker({
  config,
  envFiles: [envFile],
  dev: { inspector: false, persist, logLevel: "warn", server: { hostname: "127.0.0.1", port: 0 } },
});
await worker.ready;
const url = (await worker.url).toString().replace(/\/$/, "");
process.stdout.write(`${JSON.stringify({ url })}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await worker.dispose();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
