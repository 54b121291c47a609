import { requirementsOf, type DurableObjectMigrationRequirement, type DurableObjectNamespaceRequirement, type Manifest } from "../../runtime/manifest/index.js";
import type { DurableObjectMigrationConfig, ProjectConfig } from "../project/index.js";
import { error, type Fix, type Problem } from "./problem.js";

/**
 * The aggregates' Durable Object: bound under the application's name, bound once, and declared by
 * a `new_sqlite_classes` migration. The runtime stores every stream in the object's SQLite
 * storage, which a KV-backed class (`new_classes`) does not have.
 */
export function checkDurableObjects(config: ProjectConfig, manifest: Manifest): Problem[] {
  const [namespace, migration] = durableObjectOf(manifest, "aggregates");
  if (!namespace || !migration) return [];
  const problems: Problem[] = [];
  const bindings = config.durable_objects.bindings;
  const binding = bindings.find((b) => b.name === namespace.name);
  const className = binding?.class_name ?? namespace.className;

  if (!binding) {
    problems.push(
      error(
        "aggregates-binding-missing",
        `Durable Object binding ${namespace.name} is missing: the runtime reaches every aggregate (${namespace.of.join(", ")}) through it`,
        { kind: "add", section: namespace.block.section, entry: namespace.block.entry },
      ),
    );
  }
  for (const stray of bindings.filter((b) => b.name !== namespace.name && b.class_name === className)) {
    problems.push(
      error(
        "aggregates-binding-stray",
        `Durable Object binding ${stray.name} binds the aggregates' class ${className}, but the application uses ${namespace.name}: ` +
          `remove it${binding ? "" : ` (or rename it to ${namespace.name})`}`,
        { kind: "remove", section: "durable_objects.bindings", entry: { name: stray.name, class_name: stray.class_name } },
      ),
    );
  }
  // A class that lives in another Worker has its migrations in that Worker's configuration.
  if (binding?.script_name !== undefined) return problems;

  const storage = classStorage(config.migrations).get(className);
  if (storage === undefined) {
    problems.push(
      error(
        "aggregates-class-without-migration",
        `Durable Object class ${className} has no migration: declare it with new_sqlite_classes so its objects get SQLite storage`,
        newMigration(config, migration, className),
      ),
    );
  } else if (storage.backend === "kv") {
    const declaredBy = storage.declaredBy;
    problems.push(
      error(
        "aggregates-class-not-sqlite",
        `Durable Object class ${className} is declared in new_classes (key-value storage) by migration ${declaredBy.tag}; the runtime needs SQLite storage (new_sqlite_classes)`,
        {
          kind: "replace",
          section: "migrations",
          entry: sqliteInstead(declaredBy, className),
          note:
            `If ${className} was never deployed, change migration ${declaredBy.tag} as shown (keep any renamed_classes). A deployed key-value class cannot become ` +
            `SQLite-backed: export the aggregates under a new class name, bind ${namespace.name} to it and declare it in a new migration with new_sqlite_classes.`,
        },
      ),
    );
  }
  return problems;
}

/**
 * The Durable Object of stateful process-manager instances, when the application has any: bound
 * under the application's name and declared by a `new_sqlite_classes` migration (an instance keeps
 * its state, timers and outbox in SQLite).
 */
export function checkProcessManagerObjects(config: ProjectConfig, manifest: Manifest): Problem[] {
  const [namespace, migration] = durableObjectOf(manifest, "process managers");
  if (!namespace || !migration) return [];
  const binding = config.durable_objects.bindings.find((b) => b.name === namespace.name);
  const className = binding?.class_name ?? namespace.className;
  if (!binding) {
    return [
      error(
        "process-managers-binding-missing",
        `Durable Object binding ${namespace.name} is missing: every instance of the stateful process managers (${namespace.of.join(", ")}) lives in it`,
        { kind: "add", section: namespace.block.section, entry: namespace.block.entry },
      ),
      ...(classStorage(config.migrations).has(className) ? [] : [withoutMigration(config, migration, className)]),
    ];
  }
  if (binding.script_name !== undefined) return [];
  const storage = classStorage(config.migrations).get(className);
  if (storage === undefined) return [withoutMigration(config, migration, className)];
  if (storage.backend === "kv") {
    return [
      error(
        "process-managers-class-not-sqlite",
        `Durable Object class ${className} is declared in new_classes (key-value storage) by migration ${storage.declaredBy.tag}; process-manager instances need SQLite storage (new_sqlite_classes)`,
        { kind: "replace", section: "migrations", entry: sqliteInstead(storage.declaredBy, className) },
      ),
    ];
  }
  return [];
}

function withoutMigration(config: ProjectConfig, migration: DurableObjectMigrationRequirement, className: string): Problem {
  return error(
    "process-managers-class-without-migration",
    `Durable Object class ${className} has no migration: declare it with new_sqlite_classes so process-manager instances get SQLite storage`,
    newMigration(config, migration, className),
  );
}

/** The namespace the manifest asks for what `hosts`, and the migration that creates its class; none when the application needs none. */
function durableObjectOf(
  manifest: Manifest,
  hosts: DurableObjectNamespaceRequirement["hosts"],
): [DurableObjectNamespaceRequirement | undefined, DurableObjectMigrationRequirement | undefined] {
  return [
    requirementsOf(manifest, "durable-object-namespace").find((r) => r.hosts === hosts),
    requirementsOf(manifest, "durable-object-migration").find((r) => r.hosts === hosts),
  ];
}

/**
 * The manifest's migration with the tag this configuration's next migration takes, for the class
 * the configuration actually binds (which may not be the one a new project exports).
 */
function newMigration(config: ProjectConfig, migration: DurableObjectMigrationRequirement, className: string): Fix {
  const entry = { ...migration.block.entry, tag: nextMigrationTag(config.migrations), new_sqlite_classes: [className] };
  return { kind: "add", section: migration.block.section, entry };
}

interface ClassStorage {
  readonly backend: "sqlite" | "kv";
  readonly declaredBy: DurableObjectMigrationConfig;
}

/**
 * The classes the migrations leave declared, in order, and the storage each was created with.
 * Tolerant of migrations wrangler itself would refuse (they are reported by wrangler).
 */
function classStorage(migrations: readonly DurableObjectMigrationConfig[]): Map<string, ClassStorage> {
  const classes = new Map<string, ClassStorage>();
  for (const migration of migrations) {
    for (const name of migration.deleted_classes ?? []) classes.delete(name);
    for (const { from, to } of migration.renamed_classes ?? []) {
      const storage = classes.get(from);
      classes.delete(from);
      if (storage) classes.set(to, storage);
    }
    for (const name of migration.new_classes ?? []) classes.set(name, { backend: "kv", declaredBy: migration });
    for (const name of migration.new_sqlite_classes ?? []) classes.set(name, { backend: "sqlite", declaredBy: migration });
  }
  return classes;
}

/** `v<n+1>` after the existing migrations, skipping any tag already taken. */
function nextMigrationTag(migrations: readonly DurableObjectMigrationConfig[]): string {
  const taken = new Set(migrations.map((m) => m.tag));
  let n = migrations.length + 1;
  while (taken.has(`v${n}`)) n += 1;
  return `v${n}`;
}

/** The same migration with `className` moved from new_classes to new_sqlite_classes (renamed_classes, if any, stays as written). */
function sqliteInstead(migration: DurableObjectMigrationConfig, className: string): Record<string, string | readonly string[]> {
  const entry: Record<string, string | readonly string[]> = { tag: migration.tag };
  const kv = (migration.new_classes ?? []).filter((c) => c !== className);
  if (kv.length > 0) entry.new_classes = kv;
  entry.new_sqlite_classes = [...(migration.new_sqlite_classes ?? []), className];
  if (migration.deleted_classes?.length) entry.deleted_classes = migration.deleted_classes;
  return entry;
}
