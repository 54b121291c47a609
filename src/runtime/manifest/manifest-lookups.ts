import type { Manifest, Requirement, RequirementKind } from "./requirement.js";

/** The requirements of one kind. */
export function requirementsOf<K extends RequirementKind>(manifest: Manifest, kind: K): Extract<Requirement, { kind: K }>[] {
  return manifest.filter((r): r is Extract<Requirement, { kind: K }> => r.kind === kind);
}

/** The TOML blocks of the named queue producers, in the order named: what to add when a Worker lacks them. */
export function producerBlocks(manifest: Manifest, bindings: readonly string[]): string[] {
  const producers = requirementsOf(manifest, "queue-producer");
  return bindings.flatMap((binding) => producers.filter((p) => p.name === binding).map((p) => p.block.toml));
}
