import { fold } from "../aggregate/index.js";
import type { AggregateDefinition, EventOf, SchemaMap } from "../aggregate/index.js";

/**
 * The state an aggregate reaches from its initial state through `history`, folded with its own
 * `evolve`: for assertions on `evolve` alone, and for building a starting state by hand.
 *
 * @example
 * expect(stateAfter(order, [placed, shipped]).status).toBe("shipped");
 */
export function stateAfter<N extends string, S, C extends SchemaMap, E extends SchemaMap>(
  aggregate: AggregateDefinition<N, S, C, E>,
  history: readonly EventOf<E>[],
): S {
  return fold(aggregate, aggregate.initialState(), history) as S;
}
