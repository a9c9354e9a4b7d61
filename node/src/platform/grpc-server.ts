/**
 * Binding and stopping a grpc-js server, shared by the node's Cache API and the scorer service.
 */
import { ServerCredentials } from '@grpc/grpc-js';
import type { Server } from '@grpc/grpc-js';

/** Binds `server` to `host:port` without TLS; resolves to the port bound (0 picks a free one). */
export function bindGrpc(server: Server, host: string, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.bindAsync(grpcTarget(host, port), ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
}

/** Lets running calls finish for up to `graceMs`, then cancels them. */
export function shutdownGrpc(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.forceShutdown(), graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** `host:port` as gRPC wants it: IPv6 addresses need brackets. */
export function grpcTarget(host: string, port: number): string {
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${shown}:${port}`;
}
