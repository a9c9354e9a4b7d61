import type { Clock } from '../../util/clock.ts';
import { createRandom } from '../../util/random.ts';
import type { Random } from '../../util/random.ts';
import type { Logger } from '../../util/logger.ts';
import type { TurnEnd } from '../turn-end.ts';
import { WatchRegistry } from './transaction.ts';
import { ChangeFeed } from './tracking/change-feed.ts';
import { TrackingRegistry } from './tracking/tracking-registry.ts';
import { INVALID_KEYSPACE_EVENTS, parseKeyspaceEvents } from '../../config/keyspace-events.ts';
import { KeyspaceNotifier } from './pubsub/keyspace-events.ts';
import { PubSubHub } from './pubsub/pubsub-hub.ts';
import { CommandRegistry } from './command-registry.ts';
import type { CommandRouter } from './command-router.ts';
import { CommandStats } from './command-stats.ts';
import { COMMAND_TABLE } from './command-table.ts';
import { ScriptEngine } from './scripting/script-engine.ts';
import { SlowLog } from './slow-log.ts';
import type { RespSettings, RespStore, ServerContext } from './server-context.ts';
import type { Session } from './session.ts';

export interface RespServerOptions {
  /** The keyspace. Its stats() also give INFO's maxmemory, policy and hit counters. */
  readonly store: RespStore;
  readonly clock: Clock;
  /** What RANDOMKEY draws from. @default seeded from the clock's first reading */
  readonly random?: Random;
  /** Password for AUTH (`--requirepass`); undefined or '' means none. @default undefined */
  readonly requirePass?: string | undefined;
  /** Shown in INFO (mlcache_node). @default 'mlcache' */
  readonly nodeName?: string;
  /** maxmemory-policy for CONFIG GET. @default the store's policy name */
  readonly policyName?: string;
  /** Longest value accepted, in bytes (proto-max-bulk-len). @default 512 MiB */
  readonly maxValueSize?: number;
  /** Most arguments in one request. @default 2^31 - 1, as Redis */
  readonly maxArrayLength?: number;
  /** `none`, `async` or `sync`, reported by INFO. Waiting is driven by `store.durable()`. @default 'none' */
  readonly durability?: string;
  /**
   * Bytes of commands one transaction may queue between MULTI and EXEC (Redis bounds them with
   * its client query buffer limit). @default 1 GiB
   */
  readonly maxTransactionBytes?: number;
  /** Connections beyond this get Redis's "max number of clients reached". @default 10000 */
  readonly maxClients?: number;
  /** Reply bytes a connection may have waiting before it stops reading. @default 1 MiB */
  readonly maxPendingOutput?: number;
  /** How long close() lets connections send what they owe before cutting them. @default 5000 */
  readonly closeTimeoutMs?: number;
  readonly logger?: Logger;
  /**
   * Where replies wait for the end of the event-loop turn; a node shares it with its background
   * eviction, which then runs after the turn's replies. @default one of the server's own
   */
  readonly turnEnd?: TurnEnd | undefined;
  /** A cluster node's command router (command-router.ts). @default none: every key is served */
  readonly router?: CommandRouter | undefined;
  /**
   * A Lua script running longer than this many ms is stopped with an error (script-engine.ts);
   * 0 lets scripts run as long as they like, the server serving nothing else meanwhile.
   * @default 5000, Redis's busy-reply-threshold
   */
  readonly scriptTimeLimitMs?: number;
  /** `notify-keyspace-events` at start (CONFIG SET changes it). @default '' (none) */
  readonly notifyKeyspaceEvents?: string;
}

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const MLCACHE_VERSION = '0.1.0';
const DEFAULT_SCRIPT_TIME_LIMIT_MS = 5000;
/** What clients see as redis_version; 7.2 is the feature level whose commands are answered. */
const REDIS_VERSION = '7.2.0';

/**
 * The per-server state every command reaches (settings, registry, counters, sessions). Separate
 * from the listener so that socket-free tests build the very same context. `endOfTurn` runs work
 * after the turn's replies (client-side caching's broadcasts).
 */
export function createServerContext(
  options: RespServerOptions,
  port: () => number,
  endOfTurn: (run: () => void) => void = setImmediate,
): ServerContext {
  const registry = new CommandRegistry(COMMAND_TABLE);
  const pubsub = new PubSubHub();
  const keyspaceEvents = new KeyspaceNotifier(options.store, pubsub);
  const events = parseKeyspaceEvents(options.notifyKeyspaceEvents ?? '');
  if (events === undefined)
    throw new RangeError(`notify-keyspace-events: ${INVALID_KEYSPACE_EVENTS}`);
  keyspaceEvents.flags = events;
  const sessions = new Map<number, Session>();
  const changes = new ChangeFeed(options.store);
  return {
    store: options.store,
    clock: options.clock,
    random: options.random ?? createRandom(options.clock.now()),
    settings: resolveSettings(options),
    registry,
    stats: new CommandStats(registry),
    slowLog: new SlowLog(),

    sessions,
    watches: new WatchRegistry(changes.consumer()),
    tracking: new TrackingRegistry(sessions, changes.consumer(), endOfTurn),
    pubsub,
    keyspaceEvents,
    scripts: new ScriptEngine({
      clock: options.clock,
      timeLimitMs: options.scriptTimeLimitMs ?? DEFAULT_SCRIPT_TIME_LIMIT_MS,
      redisVersion: REDIS_VERSION,
    }),
    startedAt: options.clock.now(),
    port,
    logger: options.logger,
    router: options.router,
  };
}

function resolveSettings(options: RespServerOptions): RespSettings {
  if (typeof options.clock?.now !== 'function')
    throw new TypeError('createRespServer needs a clock');
  if (typeof options.store?.get !== 'function')
    throw new TypeError('createRespServer needs a store');
  const maxValueSize = options.maxValueSize ?? 512 * MIB;
  const maxClients = options.maxClients ?? 10_000;
  for (const [name, value] of [
    ['maxValueSize', maxValueSize],
    ['maxClients', maxClients],
    ['maxTransactionBytes', options.maxTransactionBytes ?? GIB],
    ['maxPendingOutput', options.maxPendingOutput ?? MIB],
    ['closeTimeoutMs', options.closeTimeoutMs ?? 0],
    ['scriptTimeLimitMs', options.scriptTimeLimitMs ?? 0],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`${name} must be a non-negative integer`);
  }
  return {
    requirePass: options.requirePass === '' ? undefined : options.requirePass,
    nodeName: options.nodeName ?? 'mlcache',
    policyName: options.policyName ?? options.store.stats().policy,
    maxValueSize,
    durability: options.durability ?? 'none',
    redisVersion: REDIS_VERSION,
    mlcacheVersion: MLCACHE_VERSION,
    maxClients,
    maxTransactionBytes: options.maxTransactionBytes ?? GIB,
    resp3: true,
  };
}
