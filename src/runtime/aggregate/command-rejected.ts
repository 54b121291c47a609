/**
 * Thrown by `decide` when the aggregate's rules refuse a command. The runtime answers
 * 422 `{"error":"rejected","reason":…}` and stores nothing.
 */
export class CommandRejected extends Error {
  constructor(
    /** A stable, machine-readable reason such as `order_not_placed`. */
    readonly reason: string,
    message: string = reason.replaceAll("_", " "),
  ) {
    super(message);
    this.name = "CommandRejected";
  }
}

/**
 * Refuses a command from inside `decide`.
 *
 * @example
 * if (state.status !== "placed") reject("order_not_placed", "Only a placed order can be shipped");
 */
export function reject(reason: string, message?: string): never {
  throw new CommandRejected(reason, message);
}
