import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Session } from '../../server/resp/session.ts';
import { ClientConnection } from './client-connection.ts';
import type { GatewayContext } from './gateway-context.ts';

export interface GatewayListener {
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Stops accepting, lets every client receive the replies it is owed and end, destroys those
   * still open after `graceMs`, and resolves once all are closed.
   */
  close(graceMs: number): Promise<void>;
  readonly address: AddressInfo | undefined;
}

const MAX_CLIENTS_REPLY = '-ERR max number of clients reached\r\n';

/**
 * The gateway's RESP port: accepts clients and gives each a session (the node's, so CLIENT LIST,
 * AUTH and HELLO behave as on a node) and a ClientConnection.
 */
export function createGatewayListener(
  ctx: GatewayContext,
  setAddress: (address: AddressInfo) => void,
): GatewayListener {
  const { server: context } = ctx;
  const { settings, stats, sessions } = context;
  const connections = new Set<ClientConnection>();
  const limits = { maxBulkLength: settings.maxValueSize };
  let address: AddressInfo | undefined;
  let nextId = 1;
  let closing: Promise<void> | undefined;
  let onConnectionClosed = (): void => {};

  const accept = (socket: Socket): void => {
    if (closing !== undefined) {
      socket.destroy();
      return;
    }
    if (connections.size >= settings.maxClients) {
      socket.end(MAX_CLIENTS_REPLY);
      return;
    }
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 300_000);
    const peer = {
      remote: `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`,
      local: `${socket.localAddress ?? ''}:${socket.localPort ?? 0}`,
    };
    const session = new Session(nextId++, context, peer);
    const connection = new ClientConnection(socket, session, ctx, limits);
    sessions.set(session.id, session);
    connections.add(connection);
    stats.connectedClients++;
    stats.totalConnections++;
    socket.on('close', () => {
      sessions.delete(session.id);
      connections.delete(connection);
      stats.connectedClients--;
      onConnectionClosed();
    });
  };

  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, accept);
  server.on('error', (error) => ctx.logger.error('RESP listener error', { error }));

  return {
    get address() {
      return address;
    },
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          address = server.address() as AddressInfo;
          setAddress(address);
          resolve(address);
        });
      }),
    close: (graceMs) => {
      closing ??= new Promise<void>((resolve) => {
        let listenerClosed = !server.listening;
        const timer = setTimeout(() => {
          for (const connection of connections) connection.destroy();
        }, graceMs);
        timer.unref();
        onConnectionClosed = () => {
          if (!listenerClosed || connections.size > 0) return;
          clearTimeout(timer);
          resolve();
        };
        if (server.listening) {
          server.close(() => {
            listenerClosed = true;
            onConnectionClosed();
          });
        }
        for (const connection of connections) connection.shutdown();
        onConnectionClosed();
      });
      return closing;
    },
  };
}
