/** A committed event, ready to send: its version (to honour each socket's position) and its JSON. */
export interface LiveMessage {
  readonly version: number;
  readonly text: string;
}

/** Reads the stored events after `after`, at most `limit`, as messages. */
export type ReplayPageReader = (after: number, limit: number) => readonly LiveMessage[];

/**
 * Live subscribers per object. Every commit is sent to each of them, so the cap bounds what a
 * commit's fan-out costs the object (2,000 sockets took command latency from about 10-80 ms to
 * about 400 ms; 100 add a few milliseconds). Readers past it should read `GET /streams` instead.
 */
export const MAX_LIVE_SUBSCRIBERS = 100;

/**
 * Stored events are replayed this many per turn of the event loop: a subscriber from `from=0` on
 * a long stream never holds the object for the whole history, and commands run between pages.
 */
export const LIVE_REPLAY_PAGE = 100;

/** What a live subscriber's socket remembers across hibernation. */
interface LiveAttachment {
  /** The last version this socket was sent (or asked to start after). */
  readonly from: number;
  /** Still catching up from storage: broadcasts skip it, its replay reads the new events instead. */
  readonly replaying: boolean;
}

/**
 * The object's live subscribers: hibernatable WebSockets that get the stored events after their
 * `from`, page by page, then every commit. The object stays hibernatable with sockets open, so
 * an idle stream with watchers costs no memory.
 *
 * No gap, no duplicate: a socket is flipped from replaying to live in the same synchronous turn as
 * reading its last page, and a broadcast sends only versions above a socket's position.
 */
export class LiveSubscriptions {
  constructor(private readonly ctx: DurableObjectState) {}

  /** Whether another subscriber fits under {@link MAX_LIVE_SUBSCRIBERS}. */
  get full(): boolean {
    return this.ctx.getWebSockets().length >= MAX_LIVE_SUBSCRIBERS;
  }

  /** Accepts a subscriber and starts replaying the stored events after `from`. */
  open(from: number, readPage: ReplayPageReader): WebSocket {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ from, replaying: true } satisfies LiveAttachment);
    this.replay(server, readPage);
    return client;
  }

  /** Continues replays a hibernation or eviction interrupted. */
  resume(readPage: ReplayPageReader): void {
    for (const socket of this.ctx.getWebSockets()) {
      if (attachmentOf(socket).replaying) this.replay(socket, readPage);
    }
  }

  /** Whether anyone is listening: lets the object skip building messages nobody reads. */
  get active(): boolean {
    return this.ctx.getWebSockets().length > 0;
  }

  broadcast(messages: readonly LiveMessage[]): void {
    for (const socket of this.ctx.getWebSockets()) {
      const { from, replaying } = attachmentOf(socket);
      if (replaying) continue;
      try {
        for (const message of messages) if (message.version > from) socket.send(message.text);
      } catch {
        // A socket closing as we send: the client reconnects with ?from= its last version.
      }
    }
  }

  /** Completes a closing handshake the client started. */
  static close(socket: WebSocket, code: number, reason: string): void {
    try {
      // 1005 and 1006 describe a close but cannot be sent.
      socket.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }

  /** Sends one page now and schedules the next, until a short page shows the socket caught up. */
  private replay(socket: WebSocket, readPage: ReplayPageReader): void {
    const { from } = attachmentOf(socket);
    const page = readPage(from, LIVE_REPLAY_PAGE);
    try {
      for (const message of page) socket.send(message.text);
    } catch {
      return; // Closed while replaying: nothing left to do for it.
    }
    const caughtUp = page.length < LIVE_REPLAY_PAGE;
    socket.serializeAttachment({ from: page.at(-1)?.version ?? from, replaying: !caughtUp } satisfies LiveAttachment);
    if (!caughtUp) setTimeout(() => this.replay(socket, readPage), 0);
  }
}

function attachmentOf(socket: WebSocket): LiveAttachment {
  const attachment = socket.deserializeAttachment() as Partial<LiveAttachment> | null;
  return { from: attachment?.from ?? 0, replaying: attachment?.replaying ?? false };
}
