import type { ServerResponse } from 'node:http';
import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * Closes the connection of each stream that ends while the app shuts down. Nest closes the HTTP
 * server right after the `beforeApplicationShutdown` hooks, where the runner ends its runs, and
 * `server.close()` closes only the connections that are idle at that moment: a stream still being
 * flushed is not, and its keep-alive connection would hold the shutdown until it times out (5 s).
 */
@Injectable()
export class StreamConnections implements BeforeApplicationShutdown {
  private closing = false;

  track(response: ServerResponse): void {
    const socket = response.socket;
    // Under HTTP/2 the socket carries every stream of the session, not just this one.
    if (!socket || response.writableEnded || response.req?.httpVersionMajor !== 1) return;
    response.once('close', () => {
      if (this.closing && !socket.destroyed) socket.end();
    });
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
  }
}
