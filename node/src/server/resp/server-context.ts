import type { CacheStore, RemovalReason } from '../../core/store-types.ts';
import type { Clock } from '../../util/clock.ts';
import type { Random } from '../../util/random.ts';
import type { Logger } from '../../util/logger.ts';
import type { CommandRegistry } from './command-registry.ts';
import type { CommandRouter } from './command-router.ts';
import type { CommandStats } from './command-stats.ts';
import type { KeyspaceNotifier } from './pubsub/keyspace-events.ts';
import type { PubSubHub } from './pubsub/pubsub-hub.ts';
import type { Session } from './session.ts';
import type { SlowLog } from './slow-log.ts';
import type { ScriptEngine } from './scripting/script-engine.ts';
import type { WatchRegistry } from './transaction.ts';
import type { TrackingRegistry } from './tracking/tracking-registry.ts';

/**
 * The store as the RESP front end uses it: the CacheStore contract, plus two optional members the
 * node's Store has. `writable` false makes write commands fail fast with MISCONF (Redis checks
 * before running a write, and DEL or EXPIRE have no status to report it); `setMaxMemory` lets
 * CONFIG SET maxmemory change the budget.
 */
export type RespStore = CacheStore & {
  readonly writable?: boolean;
  /**
   * The node's Store: while true, reads count hits and misses but leave the keys' access time and
   * the eviction policy alone (CLIENT NO-TOUCH). Absent where there is no store (the gateway).
   */
  noTouch?: boolean;
  setMaxMemory?(maxMemory: number): number;
  /** The node's Store: removals with their reason, for keyspace notifications. */
  observeRemovals?(listener: ((key: string, reason: RemovalReason) => void) | undefined): void;
};

/** Settings that commands report (INFO, CONFIG GET, HELLO) or enforce (AUTH, value sizes). */
export interface RespSettings {
  /** The password clients must give with AUTH, or undefined for none. */
  readonly requirePass: string | undefined;
  readonly nodeName: string;
  /** The eviction policy's name, as `--policy` gives it (maxmemory-policy). */
  readonly policyName: string;
  /** Longest value accepted (proto-max-bulk-len). */
  readonly maxValueSize: number;
  /** `none`, `async` or `sync`, for INFO persistence. */
  readonly durability: string;
  /** The version reported as redis_version: what clients compare against to enable features. */
  readonly redisVersion: string;
  readonly mlcacheVersion: string;
  /** Connections beyond this are refused (maxclients). */
  readonly maxClients: number;
  /** Bytes of commands one MULTI may queue (transaction.ts); absent: no limit. */
  readonly maxTransactionBytes?: number;
  /**
   * Whether HELLO 3 may switch a connection to RESP3. The front end that runs the commands must
   * then keep the reply writer's `resp3` in step with `Session.resp3` (dispatch does). Absent or
   * false: RESP2 only, and HELLO 3 answers NOPROTO.
   */
  readonly resp3?: boolean;
}

/** What every command can reach besides its own session: one per server, never module-global. */
export interface ServerContext {
  readonly store: RespStore;
  readonly clock: Clock;
  /** The random source of RANDOMKEY (and anything else a command draws). */
  readonly random: Random;
  readonly settings: RespSettings;
  readonly registry: CommandRegistry;
  readonly stats: CommandStats;
  /** SLOWLOG's entries and its two settings (slow-log.ts). */
  readonly slowLog: SlowLog;

  /** Open sessions by id, for CLIENT LIST and INFO clients. */
  readonly sessions: Map<number, Session>;
  /** Which sessions WATCH which keys (transaction.ts). */
  readonly watches: WatchRegistry;
  /** Client-side caching: who tracks which keys (CLIENT TRACKING). */
  readonly tracking: TrackingRegistry;
  /** Who listens to which channel (Pub/Sub). */
  readonly pubsub: PubSubHub;
  /** `notify-keyspace-events`, and the notifications it enables. */
  readonly keyspaceEvents: KeyspaceNotifier;
  /** EVAL's Lua state and script cache (scripting/script-engine.ts). */
  readonly scripts: ScriptEngine;
  /** Wall-clock time the server started, in ms. */
  readonly startedAt: number;
  /** The TCP port the server listens on, 0 before listen (INFO tcp_port, CONFIG GET port). */
  readonly port: () => number;
  readonly logger: Logger | undefined;
  /** Where commands run, for a cluster node (command-router.ts); absent when standalone. */
  readonly router?: CommandRouter | undefined;
}
