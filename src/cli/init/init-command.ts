import { relative, resolve } from "node:path";
import { EXIT_OK, usageError } from "../cli-error.js";
import { parseCommandArgs, type Command } from "../command.js";
import { initProject, ownVersion, packagedTemplatesRoot } from "./init.js";

const HELP = `Usage: edge-cqrs init <directory> [--edge-cqrs <spec>]

Writes a complete small edge-cqrs application into <directory> (which must not exist or be empty):
package.json, wrangler.toml, src/index.ts, a \`loan\` aggregate, the \`loan-details\` projection with
its query GET /loans/:id, a D1 migration, a decider test, an integration test and a README.

Then: cd <directory> && npm install && npm test && npm start

Options:
      --edge-cqrs <spec>  the edge-cqrs dependency to write into package.json (default: ^<this version>;
                          a tarball or folder path works too, e.g. file:../edge-cqrs-0.2.0.tgz)
  -h, --help              this help

Exit codes: 0 written, 2 usage error (no directory, or a directory that is not empty).`;

const OPTIONS = {
  "edge-cqrs": { type: "string" },
} as const;

/** `edge-cqrs init <dir>`: scaffolds a new project from the packaged template. */
export const initCommand: Command = {
  name: "init",
  summary: "write a new project: an aggregate, a projection and its query, tests, wrangler.toml",
  help: HELP,
  async run(args, context) {
    const { values, positionals } = parseCommandArgs("init", args, OPTIONS);
    const [directory, ...extra] = positionals;
    if (directory === undefined || extra.length > 0) throw usageError("init: name one directory (see edge-cqrs init --help)");
    const target = resolve(context.cwd, directory);
    const files = initProject({
      directory: target,
      edgeCqrs: values["edge-cqrs"] ?? `^${ownVersion()}`,
      templatesRoot: packagedTemplatesRoot(),
    });
    const shown = relative(context.cwd, target) || ".";
    context.out(`wrote ${files.length} files into ${shown}:\n${files.map((f) => `  ${f}`).join("\n")}`);
    context.out(`\nnext:\n  cd ${shown}\n  npm install\n  npm test\n  npm start`);
    return EXIT_OK;
  },
};
