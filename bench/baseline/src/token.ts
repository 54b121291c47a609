// The consistency token in edge-cqrs's format, `base64url(streamId).version`, pairs joined by "~"
// and tokens by ",", so a client cannot tell the two systems apart.

/** A token can name at most this many positions, as in edge-cqrs. */
const MAX_POSITIONS = 100;

export function encodeToken(streamId: string, version: number): string {
  return `${btoa(streamId).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}.${version}`;
}

/** The highest version asked of each stream, or undefined when the token is malformed. */
export function parseTokens(raw: string): Map<string, number> | undefined {
  const pairs = raw.split(",").flatMap((token) => token.trim().split("~"));
  if (pairs.length > MAX_POSITIONS) return undefined;
  const highest = new Map<string, number>();
  for (const pair of pairs) {
    const dot = pair.lastIndexOf(".");
    const version = Number(pair.slice(dot + 1));
    const encoded = pair.slice(0, dot);
    if (dot <= 0 || !/^(0|[1-9][0-9]{0,14})$/.test(pair.slice(dot + 1)) || !/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
    let streamId: string;
    try {
      streamId = atob(encoded.replaceAll("-", "+").replaceAll("_", "/"));
    } catch {
      return undefined;
    }
    highest.set(streamId, Math.max(version, highest.get(streamId) ?? 0));
  }
  return highest;
}
