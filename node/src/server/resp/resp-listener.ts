import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Logger } from '../../util/logger.ts';
import type { ServerContext } from './server-context.ts';
import { Session } from './session.ts';

/** A client connection as the listener drives it at shutdown. */
export interface RespConnectionHandle {
  /** Sends what the client is owed, then ends the connection. */
  shutdown(): void;
  /** Ends the connection at once. */
  destroy(): void;
}

export interface RespListener {
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Stops accepting, lets every connection send the replies it owes and end, destroys those
   * still open after `graceMs`, and resolves once all are closed.
   */
  close(graceMs: number): Promise<void>;
  /** The bound address once listening. */
  readonly address: AddressInfo | undefined;
}

const MAX_CLIENTS_REPLY = '-ERR max number of clients reached\r\n';

/**
 * A RESP port, shared by the node and the gateway: accepts clients up to `maxclients`, gives each
 * a session (CLIENT LIST, AUTH and HELLO see it) and the connection `connect` builds, keeps the
 * connection counters of INFO, and closes gracefully.
 */
export function createRespListener(
  context: ServerContext,
  connect: (socket: Socket, session: Session) => RespConnectionHandle,
  logger: Logger | undefined,
): RespListener {
  const { settings, stats, sessions } = context;
  const connections = new Set<RespConnectionHandle>();
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
    const connection = connect(socket, session);
    session.kill = () => connection.destroy();
    sessions.set(session.id, session);
    connections.add(connection);
    stats.connectedClients++;
    stats.totalConnections++;
    socket.on('close', () => {
      sessions.delete(session.id);
      context.watches.unwatch(session);
      context.tracking.disable(session);
      context.pubsub.dropAll(session, session.subscriptions);
      connections.delete(connection);
      stats.connectedClients--;
      onConnectionClosed();
    });
  };

  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, accept);
  server.on('error', (error) => logger?.error('RESP listener error', { error }));

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
        // net.Server reports 'close' before its sockets' own 'close' events, so both are awaited.
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
