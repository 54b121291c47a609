import { API_TOKEN, call, command } from "./http";

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

/** `POST /commands/:aggregate/:id/:command` (path given as `aggregate/id/command`), any answer. */
export function postCommand(path: string, payload: unknown = {}, headers: Record<string, string> = {}): Promise<Response> {
  const [aggregate = "", id = "", name = ""] = path.split("/");
  return command(aggregate, id, name, payload, headers);
}

/** `GET` a query route (path with its query string) with the API token. */
export function getQuery(pathAndQuery: string, headers: Record<string, string> = {}): Promise<Response> {
  return call(pathAndQuery, { headers: { Authorization: `Bearer ${API_TOKEN}`, ...headers } });
}
