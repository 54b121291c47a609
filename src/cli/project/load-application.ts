import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Plugin } from "esbuild";
import { InvalidApplicationError, parseApplication, type ApplicationShape } from "../../runtime/manifest/index.js";
import { projectError, usageError } from "../cli-error.js";

/** Where a project keeps its application definitions unless `--app` or package.json says otherwise. */
export const DEFAULT_APP_MODULE = "src/app/index.ts";

/**
 * The application module to load: `--app`, else package.json's `"edge-cqrs": { "app": … }`,
 * else src/app/index.ts; relative to the project directory.
 */
export function resolveAppModule(projectDir: string, flag?: string): string {
  const path = resolve(projectDir, flag ?? appFromPackageJson(projectDir) ?? DEFAULT_APP_MODULE);
  if (!existsSync(path)) {
    throw usageError(`application module ${path} does not exist: pass --app <module> or set "edge-cqrs": { "app": "…" } in package.json`);
  }
  return path;
}

function appFromPackageJson(projectDir: string): string | undefined {
  const file = join(projectDir, "package.json");
  if (!existsSync(file)) return undefined;
  const manifest: unknown = JSON.parse(readFileSync(file, "utf8"));
  const settings = isRecord(manifest) ? manifest["edge-cqrs"] : undefined;
  const app = isRecord(settings) ? settings.app : undefined;
  return typeof app === "string" ? app : undefined;
}

/**
 * Loads the application's definitions from its TypeScript module, read as far as its bindings go
 * (`manifestOf` says what they need from the configuration). Node 20 cannot import TypeScript, so the module is bundled with esbuild
 * into a temporary .mjs first; the Workers-only `cloudflare:*` modules are stubbed, since
 * definitions only need to be built, never run.
 */
export async function loadApplication(modulePath: string): Promise<ApplicationShape> {
  return parsedApplication(await loadApplicationExport(modulePath), modulePath);
}

/**
 * The module's application export as it is, definitions whole (schemas, handlers), for a command
 * that needs more of it than its bindings (`contracts` reads the zod schemas). Bundled and stubbed
 * as for {@link loadApplication}; `undefined` when the module exports none.
 */
export async function loadApplicationExport(modulePath: string): Promise<unknown> {
  const outDir = mkdtempSync(join(tmpdir(), "edge-cqrs-app-"));
  try {
    const outfile = await bundle(modulePath, join(outDir, "application.mjs"));
    const loaded = await importModule(outfile, modulePath);
    return loaded.application ?? loaded.default;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

async function bundle(modulePath: string, outfile: string): Promise<string> {
  const { build } = await import("esbuild");
  await build({
    entryPoints: [modulePath],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "silent",
    plugins: [stubCloudflareModules],
    // The module types wrangler's default rules import as text or bytes.
    loader: { ".txt": "text", ".html": "text", ".sql": "text", ".bin": "binary" },
  }).catch((cause: unknown) => {
    throw projectError(`the application module ${modulePath} does not build: ${messageOf(cause)}`);
  });
  return outfile;
}

async function importModule(outfile: string, modulePath: string): Promise<Record<string, unknown>> {
  return import(pathToFileURL(outfile).href).catch((cause: unknown) => {
    throw projectError(`the application module ${modulePath} fails to load: ${messageOf(cause)}`);
  });
}

/** The module's `application` export (or its default export) read as an application; a clear error when it is none. */
export function parsedApplication(application: unknown, modulePath: string): ApplicationShape {
  if (application === undefined) {
    throw projectError(`${modulePath} exports no application: export the object createRuntime takes as \`application\` (or as the default export)`);
  }
  try {
    return parseApplication(application);
  } catch (cause) {
    if (cause instanceof InvalidApplicationError) throw projectError(`${modulePath}: ${cause.message}`);
    throw cause;
  }
}

const messageOf = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause));

/**
 * `cloudflare:workers` and its siblings exist only inside workerd. Every name imported from one
 * resolves to an empty class, so `class X extends DurableObject {}` still evaluates. The stub is
 * CommonJS whose prototype is a Proxy: esbuild reads named imports from a CommonJS module as
 * property lookups, which fall through to the Proxy whatever the name.
 */
const stubCloudflareModules: Plugin = {
  name: "edge-cqrs-stub-cloudflare-modules",
  setup(build) {
    build.onResolve({ filter: /^cloudflare:/ }, (args) => ({ path: args.path, namespace: "cloudflare-stub" }));
    build.onLoad({ filter: /.*/, namespace: "cloudflare-stub" }, () => ({
      loader: "js",
      contents: [
        "class WorkersOnly {}",
        'module.exports = Object.create(new Proxy({}, { get: (_, name) => (name === "__esModule" ? undefined : WorkersOnly) }));',
      ].join("\n"),
    }));
  },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
