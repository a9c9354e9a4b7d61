/**
 * Listening and closing an HTTP server the way every admin port of ours does (the node's, the
 * gateway's and the scorer service's): product-agnostic, so that ml-scorer may use it too.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

/** A started HTTP server: the port it got (useful with port 0) and a way to stop it. */
export interface HttpListener {
  readonly port: number;
  /** Stops accepting, closes idle and open connections, and resolves when the server is closed. */
  close(): Promise<void>;
}

/** Starts an HTTP server for `handler` on `host:port`; rejects on EADDRINUSE and the like. */
export async function listenHttp(
  handler: RequestListener,
  host: string,
  port: number,
): Promise<HttpListener> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Scrapers keep connections alive; without this, close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}
