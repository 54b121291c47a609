import { AggregateClient } from "../../src/runtime/aggregate-client";
import type { CommandSuccess } from "../../src/runtime/aggregate-protocol";
import { runtimeActor } from "../../src/runtime/auth";
import { API_TOKEN, call, command } from "./http";
import { bindings } from "./worker-under-test";

/** The success body of `POST /commands/...` (docs/http-api.md). */
export interface CommandBody {
  streamId: string;
  version: number;
  events: { eventId: string; type: string; version: number }[];
  token: string;
}

/** `POST /commands/:aggregate/:id/:command` through the Worker's own fetch handler; fails the test on a non-200. */
export async function runCommand(path: string, payload: unknown = {}, headers: Record<string, string> = {}): Promise<CommandBody> {
  const response = await postCommand(path, payload, headers);
  if (response.status !== 200) throw new Error(`POST /commands/${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as CommandBody;
}

/**
 * Runs a command as a process manager sends it: straight to the aggregate's object, as the
 * runtime's actor (`edge-cqrs:process-manager:<manager>`). How a test drives an internal command,
 * which has no HTTP route; fails the test on a refusal.
 */
export async function runInternalCommand(path: string, payload: unknown = {}, manager = "test"): Promise<CommandSuccess> {
  const [aggregate = "", id = "", name = ""] = path.split("/");
  const outcome = await new AggregateClient(bindings.AGGREGATES).execute({
    aggregate,
    id,
    command: name,
    payload,
    commandId: crypto.randomUUID(),
    actor: runtimeActor(`process-manager:${manager}`),
  });
  if (!outcome.ok) throw new Error(`${path} as process manager ${manager} was refused ${outcome.status}: ${JSON.stringify(outcome.body)}`);
  return outcome.body;
}

/** `POST /commands/:aggregate/:id/:command` (path given as `aggregate/id/command`), any answer. */
export function postCommand(path: string, payload: unknown = {}, headers: Record<string, string> = {}): Promise<Response> {
  const [aggregate = "", id = "", name = ""] = path.split("/");
  return command(aggregate, id, name, payload, headers);
}

/** `GET` a query route (path with its query string) with the API token. */
export function getQuery(pathAndQuery: string, headers: Record<string, string> = {}): Promise<Response> {
  return call(pathAndQuery, { headers: { Authorization: `Bearer ${API_TOKEN}`, ...headers } });
}
