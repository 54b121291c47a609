export { InvalidApplicationError, parseApplication, type ApplicationShape, type SubscriberShape } from "./application-shape.js";
export {
  DEFAULT_AGGREGATES_BINDING,
  DEFAULT_PROCESS_MANAGERS_BINDING,
  DEFAULT_READ_DATABASE,
  DEFAULT_TOKEN_SECRETS,
  STREAM_CATALOG_BINDING,
  STREAM_CATALOG_QUEUE,
} from "./binding-names.js";
export { manifestOf, type ManifestOptions } from "./manifest-of.js";
export { producerBlocks, requirementsOf } from "./manifest-lookups.js";
export type {
  AnalyticsEngineDatasetRequirement,
  CronTriggerRequirement,
  D1DatabaseRequirement,
  DeadLetterConsumerRequirement,
  DurableObjectMigrationRequirement,
  DurableObjectNamespaceRequirement,
  Manifest,
  QueueConsumerRequirement,
  QueueProducerRequirement,
  Requirement,
  RequirementKind,
  SecretRequirement,
  SubscriberRef,
} from "./requirement.js";
export { DEFAULT_MIGRATIONS_DIR, EXPLICIT_CONSUMER_SETTINGS } from "./suggested-settings.js";
export { renderBlock, type ConfigEntry, type ConfigFormat, type ConfigSection, type WranglerBlock } from "./wrangler-block.js";
