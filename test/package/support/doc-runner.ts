import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { documentedOutputs, projectFileOf, shellCommands, type FencedBlock } from "../../support/markdown-blocks.js";
import { CHILD_ENV } from "./packed-package.js";
import { stopProcessGroup } from "../../support/process-group";

// Runs a doc's blocks the way a reader does: shell commands one after the other in a shell (a
// `cd` moves on, a variable set in the block stays set), code blocks written to the file their
// first line names. What is swapped is said where it is swapped, and nothing else is.

/** A command's exit code and output. */
export interface CommandRun {
  readonly command: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one command in bash in `cwd`, to completion; never throws on a non-zero exit. */
export function sh(command: string, cwd: string, timeout: number, env: NodeJS.ProcessEnv = CHILD_ENV): CommandRun {
  const result = spawnSync("bash", ["-c", command], { cwd, env, timeout, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { command, code: result.status ?? 1, stdout: result.stdout ?? "", stderr: `${result.stderr ?? ""}${result.error ? `\n${result.error.message}` : ""}` };
}

/** {@link sh}, without blocking: for commands a test runs side by side. */
export function shAsync(command: string, cwd: string, timeout: number, env: NodeJS.ProcessEnv = CHILD_ENV): Promise<CommandRun> {
  return new Promise((resolve) => {
    execFile("bash", ["-c", command], { cwd, env, timeout, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ command, code, stdout, stderr: `${stderr}${error !== null && typeof error.code !== "number" ? `\n${error.message}` : ""}` });
    });
  });
}

/** Why a command failed, with the tail of its output. */
export function failure(run: CommandRun, cwd: string): string {
  return `${run.command} exited ${run.code} in ${cwd}:\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`;
}

/** The block's commands with the doc's `cd` applied: each with the folder it runs in. */
export function commandsWithFolders(block: FencedBlock, cwd: string): { readonly command: string; readonly cwd: string }[] {
  const steps: { command: string; cwd: string }[] = [];
  let folder = cwd;
  for (const command of shellCommands(block)) {
    const cd = /^cd\s+(\S+)$/.exec(command);
    if (cd) folder = join(folder, cd[1]!);
    else steps.push({ command, cwd: folder });
  }
  return steps;
}

/**
 * Runs a block of commands that share shell variables (`API='…'` then `curl … -H "$API"`), each
 * with the assignments before it, and checks each against the output the doc prints under it
 * (`# {"id":"l-1",…}`, where `…` stands for anything). `rewrite` swaps what the doc cannot know,
 * such as the port. A `412 stale` answer is asked again, as a client following `Retry-After`
 * would: on a starved machine the projection may take longer than the query's default wait.
 */
export async function runDocumentedBlock(block: FencedBlock, cwd: string, rewrite: (command: string) => string, timeout: number): Promise<CommandRun[]> {
  const commands = shellCommands(block);
  const outputs = documentedOutputs(block);
  const assignments: string[] = [];
  const runs: CommandRun[] = [];
  for (const [i, command] of commands.entries()) {
    if (/^[A-Z_]+=/.test(command)) {
      assignments.push(command);
      continue;
    }
    const script = [...assignments, rewrite(command)].join("\n");
    let run = sh(script, cwd, timeout);
    for (let attempt = 0; attempt < STALE_RETRIES && run.stdout.includes('"error":"stale"'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, STALE_RETRY_MS));
      run = sh(script, cwd, timeout);
    }
    runs.push({ ...run, command });
    const expected = outputs[i] ?? [];
    if (run.code !== 0) throw new Error(failure(run, cwd));
    if (expected.length > 0 && !outputPattern(expected.join("\n")).test(run.stdout.trim())) {
      throw new Error(`${block.doc}:${block.line}: ${command}\nprinted:  ${run.stdout.trim()}\ndocument: ${expected.join("\n")}`);
    }
  }
  return runs;
}

const STALE_RETRIES = 5;
const STALE_RETRY_MS = 1_000;

/** The doc's printed output as a pattern: exact, but `…` stands for any text. */
function outputPattern(documented: string): RegExp {
  return new RegExp(`^${documented.split("…").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*?")}$`);
}

/** Writes a code block into the project at the file its first line names (or adds to that file). */
export function writeProjectFile(block: FencedBlock, project: string): string {
  const file = projectFileOf(block);
  if (file === undefined) throw new Error(`${block.doc}:${block.line} names no file`);
  const path = join(project, file.path);
  mkdirSync(dirname(path), { recursive: true });
  if (file.add) appendFileSync(path, `\n${block.text.split("\n").slice(1).join("\n")}\n`);
  else writeFileSync(path, `${block.text}\n`);
  return file.path;
}

/** Starts a long-running command (npm start, wrangler dev) in its own process group. */
export function startInBackground(command: string, cwd: string, env: NodeJS.ProcessEnv = CHILD_ENV): ChildProcess {
  return spawn("bash", ["-c", command], { cwd, env, stdio: "ignore", detached: true });
}

/** Stops a process started by startInBackground, with everything it started. */
export function stopInBackground(child: ChildProcess | undefined): void {
  stopProcessGroup(child);
}

/** Polls `url` until it answers 200. */
export async function waitForHealth(url: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms`);
}
