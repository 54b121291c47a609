import { z } from "zod";
import type { AnyAggregate } from "../aggregate/index.js";
import type { Publisher } from "../publisher/index.js";

/** A generated JSON Schema document and the path (relative to the contracts folder) it belongs at. */
export interface ContractSchema {
  readonly path: string;
  readonly schema: Record<string, unknown>;
}

/**
 * The public contracts of the aggregates as JSON Schema (draft 2020-12): one document per command
 * payload clients may send (an internal command has none), per event type at its current schema
 * version (what consumers read) and per public event type the publishers send (the whole
 * CloudEvent other systems receive). Check them in and diff them in review: a changed file is a
 * changed contract.
 */
export function contractSchemas(aggregates: readonly AnyAggregate[], publishers: readonly Publisher[] = []): ContractSchema[] {
  const ofAggregates = aggregates.flatMap((aggregate) => [
    // An internal command is no contract: no client sends it (the application's process managers do).
    ...Object.entries(aggregate.commands)
      .filter(([name]) => !aggregate.isInternal(name))
      .map(([name, schema]) => ({
        path: `commands/${aggregate.name}.${name}.json`,
        schema: document(schema, "input", `${aggregate.name} command ${name}`, `POST /commands/${aggregate.name}/{id}/${name}`),
      })),
    ...Object.entries(aggregate.events).map(([type, schema]) => {
      const version = aggregate.schemaVersionOf(type);
      return {
        path: `events/${aggregate.name}.${type}.v${version}.json`,
        schema: document(schema, "output", `${aggregate.name} event ${type}, schema version ${version}`, "the `data` of the event envelope"),
      };
    }),
  ]);
  const published = publishers.flatMap((publisher) =>
    publisher.publishes.map(({ type, schema }) => ({
      path: `public/${type}.json`,
      schema: document(schema, "output", `public event ${type}`, `a CloudEvent 1.0 in JSON, as ${publisher.source} sends it on the integration-events queue`),
    })),
  );
  return [...ofAggregates, ...published];
}

function document(schema: z.ZodType, io: "input" | "output", title: string, description: string): Record<string, unknown> {
  return { ...z.toJSONSchema(schema, { target: "draft-2020-12", io }), title, description };
}
