import type { ApplicationShape } from "../../runtime/manifest/index.js";

/** "2 aggregates, 2 projections, 1 process manager, 1 publisher": what a command's first line says it read. */
export function summarizeApplication(application: ApplicationShape): string {
  const publishers = application.publishers?.length ?? 0;
  return [
    plural(application.aggregates.length, "aggregate"),
    plural(application.projections?.length ?? 0, "projection"),
    plural(application.processManagers?.length ?? 0, "process manager"),
    ...(publishers > 0 ? [plural(publishers, "publisher")] : []),
  ].join(", ");
}

/** "1 error", "3 errors". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
