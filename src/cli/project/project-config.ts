import type { ConfigFormat } from "../../runtime/manifest/index.js";

export type { ConfigFormat };

/**
 * The part of a wrangler configuration the command-line tool reads, as wrangler's own reader
 * (`unstable_readConfig`) returns it. Written out structurally so the checks are plain functions
 * over data: tests give them what wrangler read from a real file, never a hand-made double.
 */
export interface ProjectConfig {
  /** The file the user edits (wrangler.toml, wrangler.json or wrangler.jsonc); fix blocks follow its format. */
  readonly userConfigPath?: string | undefined;
  readonly durable_objects: { readonly bindings: readonly DurableObjectBindingConfig[] };
  readonly migrations: readonly DurableObjectMigrationConfig[];
  readonly queues: { readonly producers?: readonly QueueProducerConfig[]; readonly consumers?: readonly QueueConsumerConfig[] };
  readonly d1_databases: readonly D1DatabaseConfig[];
  readonly vars: Readonly<Record<string, unknown>>;
  /** `[triggers]`: the runtime's sweep runs on a cron. */
  readonly triggers?: { readonly crons?: readonly string[] | undefined } | undefined;
  /** `[[analytics_engine_datasets]]`: the runtime's metrics go to the one the application names. */
  readonly analytics_engine_datasets?: readonly { readonly binding: string; readonly dataset?: string | undefined }[] | undefined;
}

/** `[[durable_objects.bindings]]` */
export interface DurableObjectBindingConfig {
  readonly name: string;
  readonly class_name: string;
  /** Set when the class lives in another Worker, whose own configuration carries its migrations. */
  readonly script_name?: string | undefined;
}

/** `[[migrations]]` */
export interface DurableObjectMigrationConfig {
  readonly tag: string;
  readonly new_classes?: readonly string[] | undefined;
  readonly new_sqlite_classes?: readonly string[] | undefined;
  readonly renamed_classes?: readonly { readonly from: string; readonly to: string }[] | undefined;
  readonly deleted_classes?: readonly string[] | undefined;
}

/** `[[queues.producers]]` */
export interface QueueProducerConfig {
  readonly binding: string;
  readonly queue: string;
}

/** `[[queues.consumers]]`; settings left out take wrangler's defaults. */
export interface QueueConsumerConfig {
  readonly queue: string;
  readonly max_batch_size?: number | undefined;
  readonly max_batch_timeout?: number | undefined;
  readonly max_retries?: number | undefined;
  readonly retry_delay?: number | undefined;
  readonly dead_letter_queue?: string | undefined;
  readonly [setting: string]: unknown;
}

/** `[[d1_databases]]` */
export interface D1DatabaseConfig {
  readonly binding: string;
  readonly database_name?: string | undefined;
  readonly database_id?: string | undefined;
  readonly migrations_dir?: string | undefined;
  readonly migrations_table?: string | undefined;
  readonly [setting: string]: unknown;
}

/** JSON for wrangler.json and wrangler.jsonc, TOML for wrangler.toml (and when no file is known). */
export function configFormatOf(config: Pick<ProjectConfig, "userConfigPath">): ConfigFormat {
  return /\.jsonc?$/.test(config.userConfigPath ?? "") ? "json" : "toml";
}
