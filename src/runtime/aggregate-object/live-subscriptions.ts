/** A committed event, ready to send: its version (to honour each socket's `from`) and its JSON. */
export interface LiveMessage {
  readonly version: number;
  readonly text: string;
}

/** What a live subscriber's socket remembers across hibernation. */
interface LiveAttachment {
  readonly from: number;
}

/**
 * The object's live subscribers: hibernatable WebSockets that get the stored events after their
 * `from`, then every commit. The object stays hibernatable with sockets open, so an idle stream
 * with watchers costs no memory.
 */
export class LiveSubscriptions {
  constructor(private readonly ctx: DurableObjectState) {}

  /**
   * Accepts a subscriber and sends it `replay` (the stored events after `from`). Call it in the
   * same synchronous turn as reading those events, so no commit can slip in between.
   */
  open(from: number, replay: Iterable<string>): WebSocket {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    // New events at or below `from` are not what this subscriber asked for, even after hibernation.
    server.serializeAttachment({ from } satisfies LiveAttachment);
    for (const text of replay) server.send(text);
    return client;
  }

  /** Whether anyone is listening: lets the object skip building messages nobody reads. */
  get active(): boolean {
    return this.ctx.getWebSockets().length > 0;
  }

  broadcast(messages: readonly LiveMessage[]): void {
    for (const socket of this.ctx.getWebSockets()) {
      const from = (socket.deserializeAttachment() as LiveAttachment | null)?.from ?? 0;
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
}
