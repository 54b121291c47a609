/** A part of the wrangler configuration a block is written to: a table array (`[[queues.producers]]`) or, for `triggers`, a table. */
export type ConfigSection =
  | "durable_objects.bindings"
  | "migrations"
  | "queues.producers"
  | "queues.consumers"
  | "d1_databases"
  | "analytics_engine_datasets"
  | "triggers";

/** One entry of a configuration section, as it is written in the file, its identifying key first. */
export type ConfigEntry = Readonly<Record<string, string | number | readonly string[]>>;

/** How a wrangler configuration is written: wrangler.toml, or wrangler.json / wrangler.jsonc. */
export type ConfigFormat = "toml" | "json";

/** A block of the wrangler configuration, with its text in both formats. */
export interface WranglerBlock {
  readonly section: ConfigSection;
  readonly entry: ConfigEntry;
  /** `[[queues.producers]]` and its keys, for wrangler.toml. */
  readonly toml: string;
  /** The entry's object, for the section's array (or object, for `triggers`) in wrangler.json / wrangler.jsonc. */
  readonly json: string;
}

// A table, written once, rather than a table array whose entries add up.
const TABLES: ReadonlySet<ConfigSection> = new Set(["triggers"]);

/** The block for `entry` in `section`. */
export function wranglerBlock(section: ConfigSection, entry: ConfigEntry): WranglerBlock {
  return { section, entry, toml: renderBlock(section, entry, "toml"), json: renderBlock(section, entry, "json") };
}

/** One entry of a section: its header and keys in TOML, the entry's object in JSON. */
export function renderBlock(section: ConfigSection, entry: ConfigEntry, format: ConfigFormat): string {
  return format === "toml" ? tomlBlock(section, entry) : jsonBlock(entry);
}

function tomlBlock(section: ConfigSection, entry: ConfigEntry): string {
  const lines = Object.entries(entry).map(([key, value]) => `${key} = ${tomlValue(value)}`);
  return [TABLES.has(section) ? `[${section}]` : `[[${section}]]`, ...lines].join("\n");
}

// JSON string escapes are valid TOML basic-string escapes, and numbers print the same in both.
function tomlValue(value: string | number | readonly string[]): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
}

/** JSON has no table headers to say where the entry goes: the line printed above it does. */
function jsonBlock(entry: ConfigEntry): string {
  return JSON.stringify(entry, null, 2);
}
