export { COMMAND_BACKOFF, COMMAND_RETRY_BASE_MS, COMMAND_RETRY_MAX_MS, COMMAND_SAFETY_DELAY_MS, type CommandSender } from "./command-outbox.js";
export { MAX_DECISIONS_KEPT, MAX_REJECTIONS_KEPT, type MessageSummary } from "./instance-store.js";
export { INSTANCE_SCHEMA_VERSION } from "./instance-schema.js";
export type { CommandView, InstanceView } from "./instance-view.js";
export { instanceName, ProcessManagerClient } from "./process-manager-client.js";
export { InstanceHost, type ProcessManagerObjectOptions, type ReceiveOutcome } from "./instance-host.js";
export {
  createProcessManagerObjectClass,
  useCommandSender,
  type ProcessManagerObjectClass,
  type ProcessManagerObjectInstance,
  type ProcessManagerObjectMembers,
} from "./process-manager-object.js";
