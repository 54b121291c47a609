import type { AnyAggregate } from "../aggregate";
import type { QueryRoute } from "../http";
import type { ProcessManager } from "../process-manager";
import type { Projection } from "../projection";
import type { Publisher } from "../publisher";

/** An application as the runtime composes it: the domain exports these and nothing else. */
export interface Application<E extends object> {
  readonly title: string;
  readonly version: string;
  readonly aggregates: readonly AnyAggregate[];
  readonly projections?: readonly Projection[];
  readonly processManagers?: readonly ProcessManager[];
  /** Integration events out: each turns chosen internal events into CloudEvents on its integration queue. */
  readonly publishers?: readonly Publisher[];
  readonly queries?: readonly QueryRoute[];
}
