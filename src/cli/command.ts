import { parseArgs, type ParseArgsConfig } from "node:util";
import { usageError } from "./cli-error.js";

/** Where a command runs and writes: the dispatcher passes the process's, tests their own. */
export interface CommandContext {
  /** The project directory: relative paths in options are resolved from here. */
  readonly cwd: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** One `edge-cqrs <name>` command. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full `edge-cqrs <name> --help` text. */
  readonly help: string;
  /** Runs with the arguments after the command's name; resolves to the exit code. */
  readonly run: (args: readonly string[], context: CommandContext) => Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * node:util's parseArgs, strict, with its errors turned into usage errors that name the command.
 * Arguments after `--` come back in `rest` (commands that call wrangler pass them through).
 */
export function parseCommandArgs<O extends Options>(command: string, args: readonly string[], options: O) {
  const separator = args.indexOf("--");
  const own = separator === -1 ? args : args.slice(0, separator);
  const rest = separator === -1 ? [] : args.slice(separator + 1);
  try {
    const parsed = parseArgs({ args: [...own], options, strict: true, allowPositionals: true });
    return { values: parsed.values, positionals: parsed.positionals, rest };
  } catch (cause) {
    throw usageError(`${command}: ${cause instanceof Error ? cause.message : String(cause)} (see edge-cqrs ${command} --help)`);
  }
}
