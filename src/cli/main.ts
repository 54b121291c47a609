import { readFileSync } from "node:fs";
import { CliError, EXIT_OK, EXIT_USAGE } from "./cli-error.js";
import type { Command, CommandContext } from "./command.js";
import { COMMANDS } from "./commands.js";

/**
 * Runs `edge-cqrs <command> [args]` and resolves to the exit code: 0 all is well, 1 the project
 * has a problem, 2 the command line is wrong. Expected failures (CliError) print one line;
 * anything else is a bug and keeps its stack.
 */
export async function main(argv: readonly string[], context: CommandContext, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    context.err(generalHelp(commands));
    return EXIT_USAGE;
  }
  if (name === "--help" || name === "-h") {
    context.out(generalHelp(commands));
    return EXIT_OK;
  }
  if (name === "--version" || name === "-v") {
    context.out(packageVersion());
    return EXIT_OK;
  }
  if (name === "help") return help(args[0], context, commands);

  const command = commands.find((c) => c.name === name);
  if (!command) {
    context.err(`edge-cqrs: unknown command "${name}". Commands: ${commands.map((c) => c.name).join(", ")} (edge-cqrs --help)`);
    return EXIT_USAGE;
  }
  // Every command's --help is answered here, so no command has to parse for it.
  const own = args.indexOf("--") === -1 ? args : args.slice(0, args.indexOf("--"));
  if (own.includes("--help") || own.includes("-h")) return help(command.name, context, commands);
  try {
    return await command.run(args, context);
  } catch (cause) {
    if (!(cause instanceof CliError)) throw cause;
    context.err(`edge-cqrs ${command.name}: ${cause.message}`);
    return cause.exitCode;
  }
}

function help(name: string | undefined, context: CommandContext, commands: readonly Command[]): number {
  if (name === undefined) {
    context.out(generalHelp(commands));
    return EXIT_OK;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    context.err(`edge-cqrs: no help for unknown command "${name}" (edge-cqrs --help)`);
    return EXIT_USAGE;
  }
  context.out(command.help);
  return EXIT_OK;
}

function generalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: edge-cqrs <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "edge-cqrs <command> --help (or edge-cqrs help <command>) shows a command's options.",
    "Exit codes: 0 all is well, 1 the project has a problem, 2 usage error.",
  ].join("\n");
}

/** The version in package.json: two levels up from both src/cli and the built dist/cli. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof manifest.version === "string" ? manifest.version : "unknown";
}
