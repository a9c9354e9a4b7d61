import { Server } from '@grpc/grpc-js';
import type { CacheStore } from '../../core/store-types.ts';
import type { NodeStats } from '../../metrics/node-stats.ts';
import { bindGrpc, shutdownGrpc } from '../../platform/grpc-server.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/logger.ts';
import { createAuthCheck } from './auth.ts';
import type { GrpcClusterPort, KeyShard } from './cluster-port.ts';
import { createCacheService } from './cache-service.ts';
import { loadCacheService } from './load-proto.ts';

export interface GrpcServerOptions {
  readonly store: CacheStore;
  readonly clock: Clock;
  readonly stats: () => NodeStats;
  /** --requirepass; null lets every call in. */
  readonly requirepass: string | null;
  /** The largest request accepted: room for one value of --max-value-size and its key. */
  readonly maxMessageBytes: number;
  readonly logger: Logger;
  /** The cluster layer, for a node started with --ring. */
  readonly cluster?: GrpcClusterPort | undefined;
  /** key → shard (Scan's shard filter, FetchKeys). */
  readonly keyShard?: KeyShard | undefined;
}

/** A listening gRPC server. */
export interface GrpcListener {
  readonly port: number;
  /** Stops accepting calls, lets running ones finish for up to `graceMs`, then cancels them. */
  close(graceMs?: number): Promise<void>;
}

// gRPC's own limit is a signed 32-bit length.
const GRPC_MAX_MESSAGE = 2 ** 31 - 1;
const DEFAULT_MESSAGE = 4 * 1024 * 1024;

/** Starts `mlcache.v1.Cache` on `host:port` (0 picks a free port). */
export async function listenGrpc(
  options: GrpcServerOptions,
  host: string,
  port: number,
): Promise<GrpcListener> {
  const server = new Server({
    'grpc.max_receive_message_length': Math.min(
      GRPC_MAX_MESSAGE,
      Math.max(DEFAULT_MESSAGE, options.maxMessageBytes),
    ),
  });
  server.addService(
    loadCacheService().service,
    createCacheService({
      store: options.store,
      clock: options.clock,
      stats: options.stats,
      auth: createAuthCheck(options.requirepass),
      logger: options.logger,
      cluster: options.cluster,
      keyShard: options.keyShard,
    }),
  );
  const bound = await bindGrpc(server, host, port);
  return { port: bound, close: (graceMs = 5000) => shutdownGrpc(server, graceMs) };
}
