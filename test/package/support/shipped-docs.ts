import { dirname, join, normalize } from "node:path";
import { fencedBlocks, projectFileOf } from "../../support/markdown-blocks.js";

// What a shipped doc may name. The package's docs are read by a user in node_modules/edge-cqrs or
// on the npm page, with only the package and their own project at hand: a relative link must land
// in the package, and a path under one of the repository's folders (src/, test/, docs/, .ci/…)
// must be a file the package ships, one `edge-cqrs init` writes, or one the doc itself tells the
// user to write (a code block whose first line names it). A doc about the repository's own code
// (the decisions behind it, its benchmarks) says so with REPOSITORY_PATHS_MARKER; its repository
// paths must then exist in the repository.

/** The comment a doc carries when the paths it names are the edge-cqrs repository's, not the user's. */
export const REPOSITORY_PATHS_MARKER = "<!-- paths in this file are the edge-cqrs repository's -->";

export interface ShippedDocsContext {
  /** Every file of the package, relative to its root (README.md, docs/guide.md, dist/…). */
  readonly shipped: ReadonlySet<string>;
  /** Every file `edge-cqrs init` writes into a new project, relative to it. */
  readonly project: ReadonlySet<string>;
  /** Every file of the repository (git ls-files). */
  readonly repository: ReadonlySet<string>;
  /** Folders of the repository that its tools write into and git ignores (bench/results/). */
  readonly repositoryOutputs: readonly string[];
  /** The repository's top-level folders: a path under one is a repository path unless shown otherwise. */
  readonly repositoryRoots: readonly string[];
  /** Every shipped Markdown file's text, by its path: where a link's #anchor must be a heading. */
  readonly markdown: ReadonlyMap<string, string>;
}

/** Each problem of one shipped doc (`doc` relative to the package root), as a readable line. */
export function shippedDocProblems(doc: string, markdown: string, context: ShippedDocsContext): string[] {
  const visible = markdown.replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, " "));
  return [...linkProblems(doc, visible, context), ...pathProblems(doc, markdown, visible, context)];
}

/** The GitHub anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of a document's headings (those outside code blocks). */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const marker = /^ *(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) fence = fence === undefined ? marker : undefined;
    else if (fence === undefined && /^#{1,6}\s/.test(line)) anchors.add(headingAnchor(line.replace(/^#+\s+/, "")));
  }
  return anchors;
}

const LINK = /\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)|^\s*\[[^\]]+\]:\s*(\S+)/gm;

function linkProblems(doc: string, visible: string, context: ShippedDocsContext): string[] {
  const problems: string[] = [];
  for (const match of visible.matchAll(LINK)) {
    const target = match[1] ?? match[2]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [path = "", anchor] = target.split("#");
    const resolved = path === "" ? doc : normalize(join(dirname(doc), path)).replace(/\/$/, "");
    const exists = context.shipped.has(resolved) || [...context.shipped].some((file) => file.startsWith(`${resolved}/`));
    if (!exists) problems.push(`${doc}: links to ${target}, which the package does not ship`);
    const linked = context.markdown.get(resolved);
    if (exists && anchor !== undefined && linked !== undefined && !anchorsOf(linked).has(anchor)) {
      problems.push(`${doc}: links to ${target}, but ${resolved} has no heading with that anchor`);
    }
  }
  return problems;
}

function pathProblems(doc: string, markdown: string, visible: string, context: ShippedDocsContext): string[] {
  const aboutRepository = markdown.includes(REPOSITORY_PATHS_MARKER);
  const written = new Set(fencedBlocks(doc, markdown).flatMap((block) => projectFileOf(block)?.path ?? []));
  const roots = context.repositoryRoots.map((root) => root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const mention = new RegExp(`(?<![\\w./@:-])((?:${roots})/[\\w./<>*…{}-]*[\\w>*…}/])`, "g");
  const withoutUrls = visible.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, " ");
  const problems = new Set<string>();
  for (const [, path] of withoutUrls.matchAll(mention)) {
    const found = (files: ReadonlySet<string>) => matches(path!, files);
    if (found(context.shipped) || found(context.project) || found(written)) continue;
    if (aboutRepository && (found(context.repository) || context.repositoryOutputs.some((folder) => path!.startsWith(folder)))) continue;
    problems.add(
      aboutRepository
        ? `${doc}: names ${path}, which is neither in the package, in a new project, nor in the repository`
        : `${doc}: names ${path} as if the user had it, but it is neither in the package nor in a project edge-cqrs init writes (a file of the repository? say so with ${REPOSITORY_PATHS_MARKER})`,
    );
  }
  return [...problems];
}

/** Whether a named path (a file, a folder ending in /, or a pattern with <name>, *, NNNN or …) is one of the files or their folders. */
function matches(path: string, files: ReadonlySet<string>): boolean {
  const folder = path.endsWith("/");
  const pattern = path
    .replace(/\/$/, "")
    .split(/(<[^>]*>|\*|NNNN|…)/)
    .map((part, i) => (i % 2 === 0 ? part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : part === "…" ? ".*" : part === "NNNN" ? "\\d{4}" : "[^/]*"))
    .join("");
  const exact = new RegExp(`^${pattern}$`);
  const within = new RegExp(`^${pattern}/`);
  return [...files].some((file) => (!folder && exact.test(file)) || within.test(file));
}
