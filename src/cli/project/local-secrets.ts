import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The variable names of the secrets file `wrangler dev` would load from the project directory:
 * `.dev.vars.<env>` or `.dev.vars`, and `.env` only when there is no .dev.vars (wrangler reads
 * one kind or the other, never both).
 */
export function readLocalSecretNames(projectDir: string, env?: string): string[] {
  const candidates = [...(env ? [`.dev.vars.${env}`] : []), ".dev.vars", ...(env ? [`.env.${env}`] : []), ".env"];
  const file = candidates.map((name) => join(projectDir, name)).find((path) => existsSync(path));
  return file === undefined ? [] : dotenvNames(readFileSync(file, "utf8"));
}

/** Names assigned in a dotenv file: `NAME=value` and `export NAME=value`, comments ignored. */
export function dotenvNames(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
    if (match?.[1]) names.push(match[1]);
  }
  return names;
}
