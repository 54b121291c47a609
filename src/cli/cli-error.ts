/** Exit codes every command shares: 0 all is well, 1 the project has a problem, 2 the command line is wrong. */
export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_USAGE = 2;

/**
 * A failure the dispatcher prints as one clear line (no stack) and turns into an exit code:
 * EXIT_USAGE when the command cannot run as invoked, EXIT_PROBLEM when the project is at fault.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: typeof EXIT_PROBLEM | typeof EXIT_USAGE,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** The command cannot run as invoked: an unknown option, a file named on the command line that is not there. */
export const usageError = (message: string) => new CliError(message, EXIT_USAGE);
/** The project is at fault: a configuration wrangler rejects, an application module that does not load. */
export const projectError = (message: string) => new CliError(message, EXIT_PROBLEM);
