import { rule, type Precondition } from "./precondition.js";
import type { AggregateConfig, AggregateDefinition, Preconditions, SchemaMap } from "./types.js";

/** Snapshots by default every 100 events: waking then folds at most 100 events after the snapshot. */
export const DEFAULT_SNAPSHOT_EVERY = 100;

const AGGREGATE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
const COMMAND_NAME_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
const EVENT_TYPE_PATTERN = /^[A-Z][A-Za-z0-9]{0,127}$/;

/**
 * Defines an aggregate as a decider: commands and events as zod schemas, and three pure
 * functions. Payload and event data types flow from the schemas into `decide` and `evolve`.
 *
 * @example
 * const counter = defineAggregate({
 *   name: "counter",
 *   commands: { increment: z.object({ by: z.number().int() }) },
 *   events: { Incremented: z.object({ by: z.number().int() }) },
 *   initialState: () => ({ total: 0 }),
 *   decide: (command) => [{ type: "Incremented", data: { by: command.data.by } }],
 *   evolve: (state, event) => ({ total: state.total + event.data.by }),
 * });
 */
export function defineAggregate<N extends string, S, C extends SchemaMap, E extends SchemaMap>(
  config: AggregateConfig<N, S, C, E>,
): AggregateDefinition<N, S, C, E> {
  assertNames(config);
  const preconditions = preconditionsByCommand(config);
  const snapshotEvery = config.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
  if (!Number.isInteger(snapshotEvery) || snapshotEvery < 1) {
    throw new Error(`aggregate ${config.name}: snapshotEvery must be a positive integer`);
  }
  const internal = new Set<string>(config.internalCommands ?? []);
  const schemaVersions = new Map<string, number>();
  for (const type of Object.keys(config.events)) {
    const steps = Object.keys(config.upcasters?.[type] ?? {}).map(Number);
    schemaVersions.set(type, steps.length === 0 ? 1 : Math.max(...steps) + 1);
  }
  return {
    ...config,
    snapshotEvery,
    stateSchema: stateSchemaOf(config),
    schemaVersionOf(type: string): number {
      const version = schemaVersions.get(type);
      if (version === undefined) throw new Error(`aggregate ${config.name} has no event type ${type}`);
      return version;
    },
    isInternal: (command: string): boolean => internal.has(command),
    preconditionsFor: preconditions,
  };
}

/**
 * Each command's preconditions, built on first use and kept: lazily, so that a precondition may
 * name an aggregate defined after this one, or this aggregate itself (whose definition does not
 * exist yet while its config is being written). The runtime asks for them when the Worker loads.
 */
function preconditionsByCommand<C extends SchemaMap>(config: { name: string; commands: C; preconditions?: Preconditions<C> }): (command: string) => readonly Precondition[] {
  const declared = Object.entries(config.preconditions ?? {});
  for (const [name, declare] of declared) {
    if (!Object.hasOwn(config.commands, name)) throw new Error(`aggregate ${config.name}: preconditions name command "${name}", which it does not have`);
    if (typeof declare !== "function") throw new Error(`aggregate ${config.name}: preconditions.${name} must be a function (rule) => [rule(…), …]`);
  }
  let built: Map<string, readonly Precondition[]> | undefined;
  return (command) => {
    built ??= new Map(
      declared.map(([name, declare]) => {
        const list = (declare as (r: typeof rule) => readonly Precondition[])(rule);
        for (const p of list) {
          if (typeof p?.aggregate?.name !== "string") throw new Error(`aggregate ${config.name}: a precondition of ${name} names no aggregate definition`);
        }
        return [name, list];
      }),
    );
    return built.get(command) ?? [];
  };
}

function assertNames(config: { name: string; commands: object; events: object; internalCommands?: readonly string[] }): void {
  if (!AGGREGATE_NAME_PATTERN.test(config.name)) {
    throw new Error(`aggregate name "${config.name}" must match ${AGGREGATE_NAME_PATTERN}`);
  }
  for (const name of Object.keys(config.commands)) {
    if (!COMMAND_NAME_PATTERN.test(name)) throw new Error(`${config.name}: command "${name}" must match ${COMMAND_NAME_PATTERN}`);
  }
  for (const name of config.internalCommands ?? []) {
    if (!Object.hasOwn(config.commands, name)) throw new Error(`${config.name}: internal command "${name}" is not one of its commands`);
  }
  for (const type of Object.keys(config.events)) {
    if (!EVENT_TYPE_PATTERN.test(type)) throw new Error(`${config.name}: event type "${type}" must match ${EVENT_TYPE_PATTERN}`);
  }
}

/**
 * A snapshot is only as good as the code that folded it. The fingerprint of `evolve` and
 * `initialState` changes with their source, so a deploy that changes how state is built
 * ignores older snapshots by itself; `stateVersion` covers changes the source cannot show.
 */
function stateSchemaOf(config: { stateVersion?: number; initialState: () => unknown; evolve: (...args: never[]) => unknown }): string {
  const source = `${config.initialState.toString()}\n${config.evolve.toString()}`;
  return `v${config.stateVersion ?? 1}-${fnv1a(source)}`;
}

/** 32-bit FNV-1a: a fingerprint, not a security boundary. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}
