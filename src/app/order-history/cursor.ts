import { HttpError } from "edge-cqrs";

/** Where a page ended: the keyset (placedAt, id) of its last row. */
export interface HistoryCursor {
  readonly placedAt: string;
  readonly id: string;
}

/** Opaque to clients: base64url of the keyset, so the storage layout can change without breaking them. */
export function encodeCursor(cursor: HistoryCursor): string {
  return btoa(JSON.stringify([cursor.placedAt, cursor.id])).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function decodeCursor(text: string): HistoryCursor {
  try {
    const parsed: unknown = JSON.parse(atob(text.replaceAll("-", "+").replaceAll("_", "/")));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === "string" && typeof parsed[1] === "string") {
      return { placedAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the 400 below
  }
  throw new HttpError(400, "invalid_query", "cursor is not one this API issued");
}
