import type { EventEnvelope } from "../envelope/index.js";
import { DEFAULT_PROCESS_MANAGERS_BINDING } from "../manifest/index.js";
import type { ReceiveOutcome } from "./instance-host.js";
import type { ProcessManagerObjectInstance } from "./process-manager-object.js";
import type { InstanceView } from "./instance-view.js";

/** The object name of one instance: `"<manager>/<key>"`. */
export const instanceName = (manager: string, key: string): string => `${manager}/${key}`;

/** Talks to process-manager instances by name: the queue consumer forwards events, the admin route reads them. */
export class ProcessManagerClient {
  constructor(private readonly namespace: DurableObjectNamespace<ProcessManagerObjectInstance>) {}

  /** Finds the namespace binding in `env`, failing loudly when wrangler.toml lacks it. */
  static fromEnv(env: object, binding: string = DEFAULT_PROCESS_MANAGERS_BINDING): ProcessManagerClient {
    const namespace = (env as Record<string, unknown>)[binding];
    if (!namespace || typeof (namespace as DurableObjectNamespace).idFromName !== "function") {
      throw new Error(`Durable Object binding ${binding} (stateful process managers) is missing: declare it in wrangler.toml`);
    }
    return new ProcessManagerClient(namespace as DurableObjectNamespace<ProcessManagerObjectInstance>);
  }

  stub(manager: string, key: string): DurableObjectStub<ProcessManagerObjectInstance> {
    return this.namespace.get(this.namespace.idFromName(instanceName(manager, key)));
  }

  receive(manager: string, key: string, event: EventEnvelope): Promise<ReceiveOutcome> {
    return this.stub(manager, key).receive(manager, key, event) as Promise<ReceiveOutcome>;
  }

  inspect(manager: string, key: string): Promise<InstanceView | null> {
    return this.stub(manager, key).inspect() as Promise<InstanceView | null>;
  }
}
