import type { ReplyWriter } from '../../protocol/resp/reply-writer.ts';
import type { ServerContext } from '../../server/resp/server-context.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/logger.ts';
import type { GatewayCommands } from '../commands/gateway-command-table.ts';
import type { Mirrors } from '../mirror/mirrors.ts';
import type { NearCache } from '../near-cache/near-cache.ts';
import type { ScriptBodies } from '../routing/script-bodies.ts';
import type { Router } from '../routing/router.ts';
import type { OutBuffer } from '../upstream/out-buffer.ts';
import type { TurnEnd } from '../../server/turn-end.ts';

/** The gateway's own counters, plain numbers read by the metrics at scrape time. */
export interface GatewayCounters {
  /** Requests sent again after a MOVED reply. */
  movedRetries: number;
  /** Requests answered TRYAGAIN because MOVED persisted through every retry. */
  movedGivenUp: number;
  /** Multi-key commands split over several nodes. */
  fanOuts: number;
  /** EVALSHAs answered NOSCRIPT by their node and run there again as EVAL (script-reload-sink.ts). */
  scriptReloads: number;
}

/** Limits a client connection enforces. */
export interface ClientLimits {
  /** Commands a client may have waiting for replies before the gateway stops reading it. */
  readonly maxInflight: number;
  /** Reply bytes a client may have waiting in its socket before the gateway stops reading it. */
  readonly maxPendingOutput: number;
}

/** What every client connection and command of one gateway reaches; never module-global. */
export interface GatewayContext {
  /** The node's server context, for the sessions and handlers the gateway reuses. */
  readonly server: ServerContext;
  readonly commands: GatewayCommands;
  readonly router: Router;
  readonly nearCache: NearCache;
  readonly scheduler: TurnEnd;
  /** Gathers the bytes of each socket write (shared: each flush appends and takes at once). */
  readonly out: OutBuffer;
  /** Encodes the replies the gateway writes itself (taken at once after each command). */
  readonly writer: ReplyWriter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly counters: GatewayCounters;
  readonly limits: ClientLimits;
  /** Times a request is sent again after MOVED before the client gets TRYAGAIN. */
  readonly maxRedirects: number;
  /** Re-reads the ring (after a MOVED: the node knows a newer one); resolves when done. */
  readonly refreshRing: () => Promise<void>;
  /** The bodies of the scripts seen (EVAL, SCRIPT LOAD), to answer a NOSCRIPT with an EVAL. */
  readonly scriptBodies: ScriptBodies;
  /** Mirror mode (`--mirror`): where copies of keyspace requests go; undefined when off. */
  readonly mirrors?: Mirrors | undefined;
}
