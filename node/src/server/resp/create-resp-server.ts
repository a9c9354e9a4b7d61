import type { AddressInfo } from 'node:net';
import type { PubSubHub } from './pubsub/pubsub-hub.ts';
import type { TrackingRegistry } from './tracking/tracking-registry.ts';
import type { CommandStatsSource } from '../../metrics/sources.ts';
import { DEFAULT_MAX_ARRAY_LENGTH, DEFAULT_MAX_BULK_LENGTH } from '../../protocol/resp/types.ts';
import { ReplyWriter } from '../../protocol/resp/reply-writer.ts';
import { TurnEnd } from '../turn-end.ts';
import { Connection } from './connection.ts';
import { createServerContext } from './resp-options.ts';
import type { RespServerOptions } from './resp-options.ts';
import { createRespListener } from './resp-listener.ts';

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
  /** Pub/Sub's registry, for the metrics module (PubSubStatsSource). */
  readonly pubsub: PubSubHub;
  /** Client-side caching's registry, for metrics. */
  readonly tracking: TrackingRegistry;
  /** The bound address once listening. */
  readonly address: AddressInfo | undefined;
}

const MIB = 1024 * 1024;

/** Builds the RESP front end of a node over a store. Nothing is shared between two servers. */
export function createRespServer(options: RespServerOptions): RespServer {
  const turnEnd = options.turnEnd ?? new TurnEnd();
  // Client-side caching's broadcasts go out at the end of the turn, after its replies.
  const context = createServerContext(
    options,
    () => listener.address?.port ?? 0,
    (run) => turnEnd.later(run),
  );
  const writer = new ReplyWriter();
  const limits = {
    maxBulkLength: Math.max(context.settings.maxValueSize, DEFAULT_MAX_BULK_LENGTH),
    maxArrayLength: options.maxArrayLength ?? DEFAULT_MAX_ARRAY_LENGTH,
    maxPendingOutput: options.maxPendingOutput ?? MIB,
  };
  const closeTimeoutMs = options.closeTimeoutMs ?? 5000;
  const listener = createRespListener(
    context,
    (socket, session) => new Connection(socket, session, writer, limits, turnEnd),
    options.logger,
  );
  return {
    stats: context.stats,
    pubsub: context.pubsub,
    tracking: context.tracking,
    get address() {
      return listener.address;
    },
    listen: (port, host) => listener.listen(port, host),
    close: () => listener.close(closeTimeoutMs),
  };
}
