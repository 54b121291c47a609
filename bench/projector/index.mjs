export async function runProjector() { return {}; } export function projectorTable() { return ""; }
