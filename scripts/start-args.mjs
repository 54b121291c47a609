// Which of `wrangler dev`'s arguments also decide where `wrangler d1 migrations apply` writes:
// without them `npm start -- --persist-to X` would migrate .wrangler/state and serve X, and every
// query would answer 500 on a database with no tables.

/** The flags (with their short forms) that name the state directory, the configuration or the environment. */
const SHARED_FLAGS = new Map([
  ["--persist-to", "--persist-to"],
  ["--config", "--config"],
  ["-c", "--config"],
  ["--env", "--env"],
  ["-e", "--env"],
]);

/**
 * The arguments for `wrangler d1 migrations apply` that follow from the arguments given to
 * `wrangler dev`, in both `--flag value` and `--flag=value` spellings.
 *
 * @param {readonly string[]} devArgs
 * @returns {string[]}
 * @example
 * migrationArgsFor(["--port", "9000", "--persist-to=.state"]) // ["--persist-to", ".state"]
 */
export function migrationArgsFor(devArgs) {
  /** @type {string[]} */
  const shared = [];
  for (let index = 0; index < devArgs.length; index++) {
    const arg = devArgs[index] ?? "";
    const equals = arg.indexOf("=");
    const flag = SHARED_FLAGS.get(equals === -1 ? arg : arg.slice(0, equals));
    if (flag === undefined) continue;
    const value = equals === -1 ? devArgs[++index] : arg.slice(equals + 1);
    if (value !== undefined) shared.push(flag, value);
  }
  return shared;
}
