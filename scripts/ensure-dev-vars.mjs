// Gives a fresh clone working local secrets: copies .dev.vars.example to .dev.vars when missing.
// Paths are relative to the repository, not the working directory, so importers may run anywhere.
import { copyFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const devVars = fileURLToPath(new URL("../.dev.vars", import.meta.url));
const example = fileURLToPath(new URL("../.dev.vars.example", import.meta.url));

if (!existsSync(devVars)) {
  copyFileSync(example, devVars);
  console.log("created .dev.vars from .dev.vars.example (local development tokens)");
}
