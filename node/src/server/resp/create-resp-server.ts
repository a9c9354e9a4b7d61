import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { CommandStatsSource } from '../../metrics/sources.ts';
import { DEFAULT_MAX_ARRAY_LENGTH, DEFAULT_MAX_BULK_LENGTH } from '../../protocol/resp/types.ts';
import { ReplyWriter } from '../../protocol/resp/reply-writer.ts';
import { Connection } from './connection.ts';
import { createServerContext } from './resp-options.ts';
import type { RespServerOptions } from './resp-options.ts';
import { Session } from './session.ts';

export type { RespServerOptions } from './resp-options.ts';

export interface RespServer {
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Stops accepting, lets every connection send the replies it owes (held ones included) and
   * end, destroys those still open after `closeTimeoutMs`, and resolves once all are closed.
   */
  close(): Promise<void>;
  /** Counters for the metrics module (CommandStatsSource). */
  readonly stats: CommandStatsSource;
  /** The bound address once listening. */
  readonly address: AddressInfo | undefined;
}

const MIB = 1024 * 1024;
const MAX_CLIENTS_REPLY = '-ERR max number of clients reached\r\n';

/** Builds the RESP front end of a node over a store. Nothing is shared between two servers. */
export function createRespServer(options: RespServerOptions): RespServer {
  let address: AddressInfo | undefined;
  const context = createServerContext(options, () => address?.port ?? 0);
  const { settings, stats, sessions } = context;
  const connections = new Set<Connection>();
  const writer = new ReplyWriter();
  const limits = {
    maxBulkLength: Math.max(settings.maxValueSize, DEFAULT_MAX_BULK_LENGTH),
    maxArrayLength: options.maxArrayLength ?? DEFAULT_MAX_ARRAY_LENGTH,
    maxPendingOutput: options.maxPendingOutput ?? MIB,
  };
  const closeTimeoutMs = options.closeTimeoutMs ?? 5000;
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
    const connection = new Connection(socket, session, writer, limits);
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
  server.on('error', (error) => options.logger?.error('RESP listener error', { error }));

  return {
    stats,
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
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        let listenerClosed = !server.listening;
        const timer = setTimeout(() => {
          for (const connection of connections) connection.destroy();
        }, closeTimeoutMs);
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
