import type { CacheStore } from '../core/store-types.ts';
import type {
  Admission,
  ClusterRefusal,
  GrpcClusterPort,
  KeyUse,
  SourceView,
} from '../server/grpc/cluster-port.ts';
import { ROLE } from './cluster-state.ts';
import type { ClusterState } from './cluster-state.ts';
import type { FaultIn } from './fault-in.ts';
import type { MigrationCounters } from './migration-counters.ts';
import { isReservedKey } from './reserved-keys.ts';
import { preparingError, ROUTE_ERRORS } from './route-errors.ts';

/**
 * The gRPC side of a cluster node (server/grpc/cluster-port.ts): client calls get the same rule
 * as RESP commands (resp-router.ts), as gRPC refusals; migration calls are answered by the
 * ClusterState's source side.
 */
export class GrpcPort implements GrpcClusterPort {
  readonly #state: ClusterState;
  readonly #store: CacheStore;
  readonly #faultIn: FaultIn;
  readonly #counters: MigrationCounters;

  constructor(
    state: ClusterState,
    store: CacheStore,
    faultIn: FaultIn,
    counters: MigrationCounters,
  ) {
    this.#state = state;
    this.#store = store;
    this.#faultIn = faultIn;
    this.#counters = counters;
  }

  admit(keys: readonly string[], use: KeyUse): Admission {
    const state = this.#state;
    if (state.roles.length === 0) return { reason: 'CLUSTERDOWN', message: ROUTE_ERRORS.NO_RING };
    let waits: Promise<string | undefined>[] | undefined;
    for (const key of keys) {
      if (isReservedKey(key)) return { reason: 'BAD_REQUEST', message: ROUTE_ERRORS.RESERVED };
      const shard = state.shardOf(key);
      const role = state.roles[shard];
      if (role === ROLE.OWNED) continue;
      if (role === ROLE.FOREIGN) {
        this.#counters.moved++;
        const message = state.movedError(shard);
        return { reason: 'MOVED', message, moved: state.movedGrpc(shard) };
      }
      if (role === ROLE.PREPARING) return { reason: 'TRYAGAIN', message: preparingError(shard) };
      const reception = state.receptions.get(shard);
      if (reception === undefined || use === 'blind') continue;
      if (reception.isResolved(key, this.#store.has(key))) continue;
      (waits ??= []).push(this.#faultIn.fetch(reception, key));
    }
    if (waits === undefined) return undefined;
    return Promise.all(waits).then((errors): ClusterRefusal | undefined => {
      const error = errors.find((text) => text !== undefined);
      return error === undefined ? undefined : { reason: 'TRYAGAIN', message: error };
    });
  }

  checkMigration(ringEpoch: number, shardCount: number): ClusterRefusal | undefined {
    return this.#state.checkMigration(ringEpoch, shardCount);
  }

  sourceView(shard: number): SourceView {
    return this.#state.sourceView(shard);
  }

  isTombstoned(key: string): boolean {
    return this.#state.isTombstoned(key);
  }

  tombstonesOf(shard: number): Iterable<string> {
    return this.#state.tombstonesOf(shard);
  }
}
