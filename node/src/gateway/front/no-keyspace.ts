import { NO_STORE_MEMORY } from '../../core/store-types.ts';
import type { RespStore } from '../../server/resp/server-context.ts';

/**
 * The store behind the gateway's own sessions: the gateway holds no keys. The node's connection,
 * CLIENT and COMMAND handlers run on the gateway unchanged and never touch a store; keyed commands
 * are routed to nodes before any handler could reach this. It answers "empty" rather than
 * throwing so that a future handler that peeks at the store fails soft.
 */
export const NO_KEYSPACE: RespStore = {
  get: () => undefined,
  peek: () => undefined,
  has: () => false,
  frequencyOf: () => -2,
  memoryUsage: () => -1,
  idleSeconds: () => -1,
  observeChanges: () => {},
  set: () => ({ status: 'NOT_APPLIED', previous: undefined }),
  delete: () => false,
  expireAtOf: () => -2,
  setExpireAt: () => false,
  incrBy: () => ({ status: 'NOT_APPLIED' }),
  append: () => ({ status: 'NOT_APPLIED' }),
  update: () => 'NOT_FOUND',
  size: () => 0,
  clear: () => {},
  scan: () => ({ cursor: 0, keys: [] }),
  randomKey: () => undefined,
  expireStep: () => 0,
  stats: () => ({
    hits: 0,
    misses: 0,
    evictedCapacity: 0,
    evictedAhead: 0,
    evictedExpired: 0,
    items: 0,
    itemsWithTtl: 0,
    bytesUsed: 0,
    bytesCapacity: 0,
    policy: 'none',
  }),
  memory: () => NO_STORE_MEMORY,
  durable: () => undefined,
  writable: true,
};
