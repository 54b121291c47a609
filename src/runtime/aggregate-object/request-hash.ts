/**
 * Fingerprint of what a command asks for, so a reused `Idempotency-Key` can be told apart from a
 * retry. Keys are sorted first: the same payload with its fields in another order is the same request.
 */
export async function requestHash(command: string, payload: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson({ command, payload }));
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** JSON with object keys in sorted order at every depth. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
