// Where figures go: the console, bench/results/latest.json (git-ignored) and the tables of
// docs/performance.md between `<!-- bench:PART -->` markers, each stamped with commit, machine and command.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, platform, release, totalmem } from "node:os";

const ROOT = new URL("../../", import.meta.url);
const RESULTS = new URL("bench/results/latest.json", ROOT);
const DOCS = new URL("docs/performance.md", ROOT);

/** Commit, machine and command: what every figure must carry. */
export function describeRun() {
  const wrangler = JSON.parse(readFileSync(new URL("node_modules/wrangler/package.json", ROOT), "utf8")).version;
  const cpu = cpus();
  const settings = Object.entries(process.env)
    .filter(([k]) => k.startsWith("BENCH_"))
    .sort()
    .map(([k, v]) => `${k}=${v}`);
  const args = process.argv.slice(2);
  return {
    startedAt: new Date().toISOString(),
    commit: gitDescription(),
    machine: `${cpu[0]?.model ?? "unknown cpu"} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${platform()} ${release()}`,
    loadAverageAtStart: loadavg()[0].toFixed(2),
    software: `Node ${process.version}, wrangler ${wrangler} (wrangler dev --log-level warn, 127.0.0.1; load generator on the same machine)`,
    command: [...settings, "npm run bench", ...(args.length ? ["--", ...args] : [])].join(" "),
  };
}

export function writeResults(results) {
  mkdirSync(new URL("bench/results/", ROOT), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  return RESULTS.pathname;
}

/** Replaces the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in docs/performance.md. */
export function updateDocs(name, markdown) {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const text = readFileSync(DOCS, "utf8");
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`docs/performance.md lacks the markers ${open} … ${close}`);
  writeFileSync(DOCS, `${text.slice(0, start + open.length)}\n${markdown.trim()}\n${text.slice(end)}`);
}

/** The line every table starts with. */
export function stamp(run) {
  return `Commit \`${run.commit}\`, ${run.startedAt.slice(0, 16).replace("T", " ")} UTC, ${run.machine} (load average ${run.loadAverageAtStart} at the start), ${run.software}. Command: \`${run.command}\`.`;
}

export function markdownTable(header, rows) {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function gitDescription() {
  try {
    const git = (...args) => execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src", "bench", "wrangler.toml") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " + uncommitted changes" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}
