import { relative, resolve } from "node:path";
import { EXIT_OK, usageError } from "../cli-error.js";
import { parseCommandArgs, type Command } from "../command.js";
import { DEFAULT_TEMPLATE, initProject, ownVersion, packagedTemplatesRoot } from "./init.js";

const HELP = `Usage: edge-cqrs init <directory> [--template <name>] [--edge-cqrs <spec>]

Writes a new project into <directory> (which must not exist or be empty). Templates:
  basic                  (default) a complete small edge-cqrs application: package.json,
                         wrangler.toml, src/index.ts, a \`loan\` aggregate, the \`loan-details\`
                         projection with its query GET /loans/:id, a D1 migration, a decider test,
                         an integration test and a README.
                         Then: cd <directory> && npm install && npm test && npm start
  integration-consumer   a Worker of another system that consumes a publisher's CloudEvents from
                         the integration-events queue, exactly once per event, with its own D1
                         database (docs/integration-events.md of edge-cqrs runs it)

Options:
  -t, --template <name>   the template (default: ${DEFAULT_TEMPLATE})
      --edge-cqrs <spec>  the edge-cqrs dependency to write into package.json (default: ^<this version>;
                          a tarball or folder path works too, e.g. file:../edge-cqrs-0.2.0.tgz)
  -h, --help              this help

Exit codes: 0 written, 2 usage error (no directory, a directory that is not empty, no such template).`;

const OPTIONS = {
  template: { type: "string", short: "t" },
  "edge-cqrs": { type: "string" },
} as const;

/** What to do once a template is written, by template; the application's own steps by default. */
const NEXT_STEPS: Readonly<Record<string, (shown: string) => string[]>> = {
  "integration-consumer": (shown) => [
    `run it beside your application: docs/integration-events.md of edge-cqrs, "A consumer in another Worker"`,
    `deploy it on its own: ${shown}/README.md`,
  ],
};

/** `edge-cqrs init <dir>`: scaffolds a new project from one of the packaged templates. */
export const initCommand: Command = {
  name: "init",
  summary: "write a new project (an aggregate, a projection and its query, tests, wrangler.toml) or an integration-events consumer",
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
      template: values.template,
    });
    const shown = relative(context.cwd, target) || ".";
    context.out(`wrote ${files.length} files into ${shown}:\n${files.map((f) => `  ${f}`).join("\n")}`);
    const next = NEXT_STEPS[values.template ?? DEFAULT_TEMPLATE]?.(shown) ?? [`cd ${shown}`, "npm install", "npm test", "npm start"];
    context.out(`\nnext:\n${next.map((line) => `  ${line}`).join("\n")}`);
    return EXIT_OK;
  },
};
