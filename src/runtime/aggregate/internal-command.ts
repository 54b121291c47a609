/**
 * Why an internal command (`internalCommands`) is refused to a caller outside the runtime: one
 * sentence, the same whether the HTTP edge or the aggregate's object refuses it.
 */
export function internalCommandMessage(aggregate: string, command: string): string {
  return `${aggregate}.${command} is an internal command: only the application's process managers send it, never a client`;
}
