import type { StoreStats } from '../core/store-types.ts';
import type { MlStatsSnapshot } from './ml-metrics.ts';
import type { CommandStatsSource, PersistenceStatsSource } from './sources.ts';

/**
 * A JSON snapshot of the node for people and tools (the admin port's /v1/stats, the gRPC Stats
 * call), built from the same plain sources as the Prometheus metrics.
 */
export interface NodeStats {
  readonly node: string;
  readonly policy: string;
  /** 'starting' until the reload from disk is done, 'ready', then 'stopping' at shutdown. */
  readonly state: string;
  readonly uptimeSeconds: number;
  readonly items: number;
  readonly itemsWithTtl: number;
  readonly bytes: {
    readonly used: number;
    readonly capacity: number;
    readonly utilization: number;
  };
  readonly hits: number;
  readonly misses: number;
  readonly evictions: {
    readonly capacity: number;
    /** Of `capacity`, those made between requests (--eviction-headroom). */
    readonly ahead: number;
    readonly expired: number;
  };
  readonly connectedClients: number;
  readonly persistence: {
    readonly durability: string;
    /** 'disabled' without a data directory, 'writable', or 'failing' after a failed write. */
    readonly state: 'disabled' | 'writable' | 'failing';
    readonly backlog: number;
    readonly writeErrors: number;
  };
  /** The learned policy (ml-lru, ml-lfu): model, evictions by decider, fallbacks, breaker. */
  readonly ml?: MlStatsSnapshot;
}

export interface NodeStatsOptions {
  readonly node: string;
  readonly durability: string;
  readonly store: { stats(): StoreStats };
  readonly commands?: CommandStatsSource;
  readonly persistence?: PersistenceStatsSource;
  /** The readiness state, read at each snapshot. */
  readonly state: () => string;
  /** Milliseconds since the node started, read at each snapshot (from the injected clock). */
  readonly uptimeMs: () => number;
  /** The learned policy's snapshot, when the policy is ml-lru or ml-lfu. */
  readonly ml?: () => MlStatsSnapshot;
}

/** Returns a function that takes a fresh snapshot at each call. */
export function createNodeStats(options: NodeStatsOptions): () => NodeStats {
  return () => {
    const stats = options.store.stats();
    const persistence = options.persistence;
    return {
      node: options.node,
      policy: stats.policy,
      state: options.state(),
      uptimeSeconds: options.uptimeMs() / 1000,
      items: stats.items,
      itemsWithTtl: stats.itemsWithTtl,
      bytes: {
        used: stats.bytesUsed,
        capacity: stats.bytesCapacity,
        utilization: stats.bytesCapacity > 0 ? stats.bytesUsed / stats.bytesCapacity : 0,
      },
      hits: stats.hits,
      misses: stats.misses,
      evictions: {
        capacity: stats.evictedCapacity,
        ahead: stats.evictedAhead,
        expired: stats.evictedExpired,
      },
      connectedClients: options.commands?.connectedClients ?? 0,
      persistence: {
        durability: options.durability,
        state:
          persistence === undefined ? 'disabled' : persistence.writable ? 'writable' : 'failing',
        backlog: persistence?.backlog ?? 0,
        writeErrors: persistence?.writeErrors ?? 0,
      },
      ...(options.ml === undefined ? {} : { ml: options.ml() }),
    };
  };
}
