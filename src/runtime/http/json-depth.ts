/**
 * Deepest nesting of objects and arrays accepted in any JSON the edge reads from a request
 * (command bodies, `X-Event-Metadata`). Command payloads are records a few levels deep (the
 * example's deepest, `place`, has 3); 64 leaves room for any schema a domain plausibly writes.
 * Past it the work is recursive: the RPC to the aggregate object overflows the stack between
 * 2,000 and 3,000 levels (measured in workerd), and a recursive zod schema (`z.lazy`) or the
 * request hash's canonical JSON spend several frames per level, so the limit stays far below.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether `text` nests objects or arrays deeper than `limit`, found by one scan of its characters
 * without parsing: it runs before `JSON.parse` and anything recursive. Brackets inside strings do
 * not count. Malformed JSON is left to the parser; this only measures depth.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === BACKSLASH) i++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
