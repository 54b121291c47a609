export async function runWake() { return {}; } export function wakeTable() { return ""; }
