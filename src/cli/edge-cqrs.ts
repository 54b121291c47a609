#!/usr/bin/env node
// The `edge-cqrs` command (package.json "bin"): `edge-cqrs --help` lists the commands.
import { main } from "./main.js";

const context = {
  cwd: process.cwd(),
  out: (text: string) => process.stdout.write(`${text}\n`),
  err: (text: string) => process.stderr.write(`${text}\n`),
};

// Output piped into a reader that stops early (`edge-cqrs check | head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

// exitCode, not exit(): pending output is flushed before the process ends.
process.exitCode = await main(process.argv.slice(2), context);
