import { HttpError } from "../errors/index.js";
import { parseStreamId } from "../ids/index.js";

/** A stream and the version a reader must see at least. */
export interface StreamPosition {
  readonly streamId: string;
  readonly version: number;
}

/** Bounds the work one query can ask for: every position is a checkpoint lookup. */
export const MAX_TOKEN_POSITIONS = 100;

// A token is one or more `base64url(streamId).version` pairs joined by "~": URL-safe, no commas,
// so clients can merge tokens by joining them with commas.
const PAIR_SEPARATOR = "~";

/** Encodes positions as an opaque consistency token. */
export function encodeConsistencyToken(positions: readonly StreamPosition[]): string {
  return positions.map((p) => `${base64UrlEncode(p.streamId)}.${p.version}`).join(PAIR_SEPARATOR);
}

/**
 * Parses one or more comma-separated tokens into the highest version asked of each stream.
 * Anything malformed is a 400 `invalid_token`, never a 500.
 */
export function parseConsistencyTokens(raw: string): StreamPosition[] {
  const highest = new Map<string, number>();
  const pairs = raw.split(",").flatMap((token) => token.trim().split(PAIR_SEPARATOR));
  if (pairs.length > MAX_TOKEN_POSITIONS) {
    throw new HttpError(400, "invalid_token", `a consistency token may name at most ${MAX_TOKEN_POSITIONS} positions`);
  }
  for (const pair of pairs) {
    const position = parsePair(pair);
    highest.set(position.streamId, Math.max(position.version, highest.get(position.streamId) ?? 0));
  }
  return [...highest].map(([streamId, version]) => ({ streamId, version }));
}

function parsePair(pair: string): StreamPosition {
  const dot = pair.lastIndexOf(".");
  const streamId = dot > 0 ? base64UrlDecode(pair.slice(0, dot)) : undefined;
  const versionText = pair.slice(dot + 1);
  const version = /^(0|[1-9][0-9]{0,14})$/.test(versionText) ? Number(versionText) : NaN;
  if (streamId === undefined || !parseStreamId(streamId) || !Number.isSafeInteger(version)) {
    throw new HttpError(400, "invalid_token", "the consistency token is malformed");
  }
  return { streamId, version };
}

function base64UrlEncode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function base64UrlDecode(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}
