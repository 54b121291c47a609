import type { ApplicationDescriptor, DurableObjectMigrationConfig, ProjectConfig } from "../project/index.js";
import { error, type Problem } from "./problem.js";

/** The class name a new project exports for the aggregates (`export class AggregateObject extends runtime.AggregateObject {}`). */
export const DEFAULT_AGGREGATE_CLASS = "AggregateObject";

/**
 * The aggregates' Durable Object: bound under the application's name, bound once, and declared by
 * a `new_sqlite_classes` migration. The runtime stores every stream in the object's SQLite
 * storage, which a KV-backed class (`new_classes`) does not have.
 */
export function checkDurableObjects(config: ProjectConfig, app: ApplicationDescriptor): Problem[] {
  const problems: Problem[] = [];
  const bindings = config.durable_objects.bindings;
  const binding = bindings.find((b) => b.name === app.aggregatesBinding);
  const className = binding?.class_name ?? DEFAULT_AGGREGATE_CLASS;

  if (!binding) {
    problems.push(
      error(
        "aggregates-binding-missing",
        `Durable Object binding ${app.aggregatesBinding} is missing: the runtime reaches every aggregate (${app.aggregates.join(", ")}) through it`,
        { kind: "add", section: "durable_objects.bindings", entry: { name: app.aggregatesBinding, class_name: className } },
      ),
    );
  }
  for (const stray of bindings.filter((b) => b.name !== app.aggregatesBinding && b.class_name === className)) {
    problems.push(
      error(
        "aggregates-binding-stray",
        `Durable Object binding ${stray.name} binds the aggregates' class ${className}, but the application uses ${app.aggregatesBinding}: ` +
          `remove it${binding ? "" : ` (or rename it to ${app.aggregatesBinding})`}`,
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
        { kind: "add", section: "migrations", entry: { tag: nextMigrationTag(config.migrations), new_sqlite_classes: [className] } },
      ),
    );
  } else if (storage.backend === "kv") {
    const migration = storage.declaredBy;
    problems.push(
      error(
        "aggregates-class-not-sqlite",
        `Durable Object class ${className} is declared in new_classes (key-value storage) by migration ${migration.tag}; the runtime needs SQLite storage (new_sqlite_classes)`,
        {
          kind: "replace",
          section: "migrations",
          entry: sqliteInstead(migration, className),
          note:
            `If ${className} was never deployed, change migration ${migration.tag} as shown (keep any renamed_classes). A deployed key-value class cannot become ` +
            `SQLite-backed: export the aggregates under a new class name, bind ${app.aggregatesBinding} to it and declare it in a new migration with new_sqlite_classes.`,
        },
      ),
    );
  }
  return problems;
}

/** The class name a project exports for stateful process-manager instances (`export class ProcessManagerObject extends runtime.ProcessManagerObject {}`). */
export const DEFAULT_PROCESS_MANAGER_CLASS = "ProcessManagerObject";

/**
 * The Durable Object of stateful process-manager instances, when the application has any: bound
 * under the application's name and declared by a `new_sqlite_classes` migration (an instance keeps
 * its state, timers and outbox in SQLite).
 */
export function checkProcessManagerObjects(config: ProjectConfig, app: ApplicationDescriptor): Problem[] {
  if (app.statefulManagers.length === 0) return [];
  const binding = config.durable_objects.bindings.find((b) => b.name === app.processManagersBinding);
  const className = binding?.class_name ?? DEFAULT_PROCESS_MANAGER_CLASS;
  if (!binding) {
    return [
      error(
        "process-managers-binding-missing",
        `Durable Object binding ${app.processManagersBinding} is missing: every instance of the stateful process managers (${app.statefulManagers.join(", ")}) lives in it`,
        { kind: "add", section: "durable_objects.bindings", entry: { name: app.processManagersBinding, class_name: className } },
      ),
      ...(classStorage(config.migrations).has(className) ? [] : [withoutMigration(config, className)]),
    ];
  }
  if (binding.script_name !== undefined) return [];
  const storage = classStorage(config.migrations).get(className);
  if (storage === undefined) return [withoutMigration(config, className)];
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

function withoutMigration(config: ProjectConfig, className: string): Problem {
  return error(
    "process-managers-class-without-migration",
    `Durable Object class ${className} has no migration: declare it with new_sqlite_classes so process-manager instances get SQLite storage`,
    { kind: "add", section: "migrations", entry: { tag: nextMigrationTag(config.migrations), new_sqlite_classes: [className] } },
  );
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
