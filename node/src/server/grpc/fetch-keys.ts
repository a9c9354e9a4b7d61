import type { CacheStore } from '../../core/store-types.ts';
import type { GrpcClusterPort, KeyShard } from './cluster-port.ts';
import type { FetchedKey, FetchKeysRequest, FetchKeysResponse } from './messages.ts';
import { GrpcCallError } from './status-map.ts';

const EMPTY = Buffer.alloc(0);
const UNKNOWN: FetchedKey = { presence: 'PRESENCE_UNKNOWN', value: EMPTY, expire_at_ms: 0 };
const DELETED: FetchedKey = { presence: 'PRESENCE_DELETED', value: EMPTY, expire_at_ms: 0 };
const ABSENT: FetchedKey = { presence: 'PRESENCE_ABSENT', value: EMPTY, expire_at_ms: 0 };

/**
 * FetchKeys: what this node holds of some keys, for a node pulling their shards from it (the
 * "fault-in" of a key a client asked for before the pull reached it). Like a MultiGet, but a
 * missing key says whether older sources may still have it (see Presence in cache.proto), and
 * reading does not count as an access (no hit, no promotion in the eviction policy).
 */
export function fetchKeys(
  request: FetchKeysRequest,
  deps: {
    readonly store: CacheStore;
    readonly cluster: GrpcClusterPort | undefined;
    readonly keyShard: KeyShard | undefined;
  },
): FetchKeysResponse {
  const { store, cluster, keyShard } = deps;
  if (cluster === undefined || keyShard === undefined) {
    throw GrpcCallError.fromRefusal({
      reason: 'RING_BEHIND',
      message: 'this node runs without a ring and cannot be a migration source',
    });
  }
  const refusal = cluster.checkMigration(request.ring_epoch, request.shard_count);
  if (refusal !== undefined) throw GrpcCallError.fromRefusal(refusal);
  const results = request.keys.map((bytes): FetchedKey => {
    const key = bytes.toString('latin1');
    const view = cluster.sourceView(keyShard(key, request.shard_count));
    if (view === 'empty') return UNKNOWN;
    const value = store.peek(key);
    if (value !== undefined) {
      const expireAt = store.expireAtOf(key);
      return { presence: 'PRESENCE_FOUND', value, expire_at_ms: expireAt > 0 ? expireAt : 0 };
    }
    if (cluster.isTombstoned(key)) return DELETED;
    return view === 'complete' ? ABSENT : UNKNOWN;
  });
  return { results };
}
