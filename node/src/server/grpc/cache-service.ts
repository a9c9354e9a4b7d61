import { status } from '@grpc/grpc-js';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { CacheStore } from '../../core/store-types.ts';
import type { NodeStats } from '../../metrics/node-stats.ts';
import type { Clock } from '../../util/clock.ts';
import type { Logger } from '../../util/logger.ts';
import { unary } from './call-handlers.ts';
import type { AuthCheck } from './call-handlers.ts';
import type { GrpcClusterPort, KeyShard, KeyUse } from './cluster-port.ts';
import { fetchKeys } from './fetch-keys.ts';
import type {
  FetchKeysRequest,
  GetResponse,
  KeyRequest,
  KeysRequest,
  MultiSetRequest,
  SetRequest,
  StatsResponse,
} from './messages.ts';
import { createScanHandler } from './scan.ts';
import { GrpcCallError } from './status-map.ts';

/** What the gRPC service works on. */
export interface CacheServiceDeps {
  readonly store: CacheStore;
  readonly clock: Clock;
  readonly stats: () => NodeStats;
  readonly auth: AuthCheck;
  readonly logger: Logger;
  /** The cluster layer (nodes started with --ring); absent for a standalone node. */
  readonly cluster?: GrpcClusterPort | undefined;
  /** key → shard, for Scan's shard filter and FetchKeys. */
  readonly keyShard?: KeyShard | undefined;
}

/** Admission rounds before a call gives up with TRYAGAIN (each round may wait for a fault-in). */
const ADMIT_ROUNDS = 3;

const EMPTY = Buffer.alloc(0);
const MISSING: GetResponse = { found: false, value: EMPTY, expire_at_ms: 0 };

/** The handlers of `mlcache.v1.Cache`, adapting the proto messages to the CacheStore. */
export function createCacheService(deps: CacheServiceDeps): UntypedServiceImplementation {
  const { store, auth, logger } = deps;
  const get = (key: Buffer): GetResponse => {
    const name = keyOf(key);
    const value = store.get(name);
    return value === undefined
      ? MISSING
      : { found: true, value, expire_at_ms: expiryOut(store.expireAtOf(name)) };
  };
  const set = (item: SetRequest, what: string): boolean => {
    if (item.nx && item.xx) throw GrpcCallError.badRequest(`${what}: nx and xx exclude each other`);
    const expireAt = expiryIn(item, deps.clock.now(), what);
    // proto-loader hands out views into the request's buffer; the store must own its values.
    const result = store.set(keyOf(item.key), Buffer.from(item.value), {
      expireAt,
      ifAbsent: item.nx,
      ifPresent: item.xx,
    });
    const failure = GrpcCallError.fromOpStatus(result.status, what);
    if (failure) throw failure;
    return result.status === 'OK';
  };
  const durable = async (): Promise<void> => {
    try {
      await store.durable();
    } catch (error) {
      throw new GrpcCallError(status.UNAVAILABLE, 'PERSISTENCE_FAILED', 'write not durable', {
        cause: error,
      });
    }
  };

  const admit = createAdmission(deps.cluster);
  const setUse = (item: SetRequest): KeyUse =>
    item.nx || item.xx || (item.expiry === 'expire_at_ms' && (item.expire_at_ms ?? 0) !== 0)
      ? 'read'
      : 'blind';

  return {
    Get: unary(auth, logger, async (request: KeyRequest) => {
      await admit([request.key], 'read');
      return get(request.key);
    }),
    MultiGet: unary(auth, logger, async (request: KeysRequest) => {
      await admit(request.keys, 'read');
      return { results: request.keys.map(get) };
    }),
    Set: unary(auth, logger, async (request: SetRequest) => {
      await admit([request.key], setUse(request));
      const applied = set(request, 'set');
      await durable();
      return { applied };
    }),
    MultiSet: unary(auth, logger, async (request: MultiSetRequest) => {
      const items = request.items;
      await admit(
        items.map((item) => item.key),
        items.every((item) => setUse(item) === 'blind') ? 'blind' : 'read',
      );
      const applied = items.map((item, index) => set(item, `items[${index}]`));
      await durable();
      return { applied };
    }),
    Delete: unary(auth, logger, async (request: KeysRequest) => {
      await admit(request.keys, 'read');
      let deleted = 0;
      for (const key of request.keys) if (store.delete(keyOf(key))) deleted++;
      await durable();
      return { deleted };
    }),
    Stats: unary(auth, logger, () => statsMessage(deps.stats())),
    Scan: createScanHandler({
      store,
      auth,
      logger,
      keyShard: deps.keyShard,
      cluster: deps.cluster,
    }),
    FetchKeys: unary(auth, logger, (request: FetchKeysRequest) =>
      fetchKeys(request, { store, cluster: deps.cluster, keyShard: deps.keyShard }),
    ),
  };
}

/**
 * Client calls in a cluster: the keys must be served here. A shard migrating in may first fetch
 * the keys from their old owner; since the ring may change meanwhile, the cluster layer is asked
 * again after each wait, a few times at most. Without a cluster layer every key is served here.
 */
function createAdmission(
  cluster: GrpcClusterPort | undefined,
): (keys: readonly Buffer[], use: KeyUse) => Promise<void> {
  if (cluster === undefined) return () => Promise.resolve();
  return async (keys, use) => {
    const names = keys.map(keyOf);
    for (let round = 0; round < ADMIT_ROUNDS; round++) {
      let admission = cluster.admit(names, use);
      if (admission instanceof Promise) {
        admission = await admission;
        if (admission === undefined) continue;
      }
      if (admission === undefined) return;
      throw GrpcCallError.fromRefusal(admission);
    }
    throw GrpcCallError.fromRefusal({
      reason: 'TRYAGAIN',
      message: 'the keys are migrating; try again',
    });
  };
}

/** Store keys are the key's bytes one per character (see store-types.ts). */
export function keyOf(key: Buffer): string {
  return key.toString('latin1');
}

/** The store's expireAtOf (-1 for none) as the proto's expire_at_ms (0 for none). */
export function expiryOut(expireAt: number): number {
  return expireAt > 0 ? expireAt : 0;
}

function expiryIn(item: SetRequest, now: number, what: string): number {
  if (item.expiry === 'ttl_ms') {
    const ttl = item.ttl_ms ?? 0;
    // As in Redis (SET ... PX 0): a zero TTL is a mistake, not "no expiry".
    if (ttl <= 0) throw GrpcCallError.badRequest(`${what}: ttl_ms must be positive`);
    return now + ttl;
  }
  // 0 means no expiry, so that a scanned Entry's expire_at_ms can be copied as it is.
  return item.expiry === 'expire_at_ms' ? (item.expire_at_ms ?? 0) : 0;
}

function statsMessage(stats: NodeStats): StatsResponse {
  return {
    node: stats.node,
    policy: stats.policy,
    state: stats.state,
    uptime_ms: Math.round(stats.uptimeSeconds * 1000),
    items: stats.items,
    items_with_ttl: stats.itemsWithTtl,
    bytes_used: stats.bytes.used,
    bytes_capacity: stats.bytes.capacity,
    hits: stats.hits,
    misses: stats.misses,
    evicted_capacity: stats.evictions.capacity,
    evicted_expired: stats.evictions.expired,
    durability: stats.persistence.durability,
    persistence_state: stats.persistence.state,
    persistence_backlog: stats.persistence.backlog,
  };
}
