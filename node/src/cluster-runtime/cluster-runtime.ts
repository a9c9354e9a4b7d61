import type { Ring } from '../cluster/ring.ts';
import { serializeRingDocument } from '../cluster/ring-document.ts';
import type { PersistedEntry, Persistence } from '../core/persistence.ts';
import type { CacheStore, RemovalReason } from '../core/store-types.ts';
import type { ClusterStatsSource } from '../metrics/cluster-metrics.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/logger.ts';
import { ClusterState, ROLE } from './cluster-state.ts';
import { FaultIn } from './fault-in.ts';
import { GrpcPort } from './grpc-port.ts';
import { Importer } from './importer.ts';
import { LoadTracker } from './load-tracker.ts';
import { MigrationCounters } from './migration-counters.ts';
import { migrationsReport } from './migration-report.ts';
import type { MigrationsReport } from './migration-report.ts';
import { RateLimiter } from './rate-limiter.ts';
import { ReceptionJournal, RestoredEntries } from './reception-journal.ts';
import { isReservedKey } from './reserved-keys.ts';
import { RespRouter } from './resp-router.ts';
import { RingFileWatcher } from './ring-file-watcher.ts';
import { RingIntake } from './ring-intake.ts';
import type { RingOffer } from './ring-intake.ts';
import { fetchRingSend, RingPusher } from './ring-push.ts';
import type { RingSend } from './ring-push.ts';
import { ShardPuller } from './shard-puller.ts';
import { ShardSweeper } from './shard-sweeper.ts';
import { SourceClients } from './source-clients.ts';

export interface ClusterRuntimeOptions {
  /** This node's id in the ring (--node-id). */
  readonly nodeId: string;
  readonly store: CacheStore;
  /** The store's persistence port (records and tombstones go through it too). */
  readonly persistence: Persistence;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The cluster's password (--requirepass), for calls to other nodes. */
  readonly password: string | undefined;
  /** --migration-rate: bytes per second for pulls, 0 for unlimited. */
  readonly migrationRate: number;
  /** --ring: the ring file to follow, or null to take rings from PUT /v1/ring only. */
  readonly ringFile: string | null;
  /** One keyed command in this many feeds the load tracker. @default 16 */
  readonly sampleEvery?: number;
  /** The ring file's fallback poll. @default 1000 */
  readonly ringPollMs?: number;
  /** How rings are pushed to nodes whose ring is behind. @default fetch */
  readonly send?: RingSend;
}

/** The body of `GET /v1/load`. */
export interface LoadReport {
  readonly node: string;
  readonly ringEpoch: number | null;
  readonly sampleEvery: number;
  readonly windowSeconds: number;
  /** Keyed requests per second, estimated. */
  readonly requestRate: number;
  /** Shards with requests in the window, hottest first. */
  readonly shards: readonly { shard: number; rate: number; role: string }[];
  readonly hotKeys: ReturnType<LoadTracker['hotKeys']>;
}

const ROLE_NAMES: Readonly<Record<number, string>> = {
  [ROLE.OWNED]: 'owned',
  [ROLE.RECEIVING]: 'receiving',
  [ROLE.PREPARING]: 'preparing',
  [ROLE.FOREIGN]: 'foreign',
};

/**
 * A node's part of the cluster (docs/cluster.md), assembled from the pieces of this folder: the
 * ring (file and admin API, RingIntake), the shards' roles and receptions (ClusterState), the
 * command router for RESP and the gRPC port (ownership, MOVED, fault-ins), the pulls from the
 * sources (ShardPuller), the removal of shards that moved away (ShardSweeper), and the load
 * tracker. main.ts builds it only for a node started with --ring, and wires:
 *   store onRemove → `onRemove`; reload → `reloaded` (reserved entries are the runtime's);
 *   RESP `router`; gRPC `grpc`; admin `ClusterAdmin`; metrics `ClusterStatsSource`.
 */
export class ClusterRuntime implements ClusterStatsSource {
  readonly state: ClusterState;
  readonly router: RespRouter;
  readonly grpc: GrpcPort;
  readonly #options: ClusterRuntimeOptions;
  readonly #counters = new MigrationCounters();
  readonly #intake: RingIntake;
  readonly #restored = new RestoredEntries();
  readonly #clients: SourceClients;
  readonly #puller: ShardPuller;
  readonly #sweeper: ShardSweeper;
  readonly #sampleEvery: number;
  #load: LoadTracker | undefined;
  #watcher: RingFileWatcher | undefined;
  #closed = false;

  constructor(options: ClusterRuntimeOptions) {
    this.#options = options;
    const { store, clock, logger } = options;
    this.#sampleEvery = options.sampleEvery ?? 16;
    this.state = new ClusterState({
      nodeId: options.nodeId,
      journal: new ReceptionJournal(options.persistence),
      clock,
    });
    const importer = new Importer(store, this.state, clock);
    this.#clients = new SourceClients(options.password);
    const pusher = new RingPusher({ send: options.send ?? fetchRingSend, clock, logger });
    const faultIn = new FaultIn({
      state: this.state,
      importer,
      clients: this.#clients,
      pusher,
      counters: this.#counters,
      logger,
    });
    this.router = new RespRouter({
      state: this.state,
      store,
      faultIn,
      counters: this.#counters,
      load: () => this.#load,
      sampleEvery: this.#sampleEvery,
    });
    this.grpc = new GrpcPort(this.state, store, faultIn, this.#counters);
    this.#puller = new ShardPuller({
      state: this.state,
      importer,
      clients: this.#clients,
      pusher,
      limiter: new RateLimiter({ bytesPerSecond: options.migrationRate, clock }),
      counters: this.#counters,
      clock,
      logger,
    });
    this.#sweeper = new ShardSweeper({
      store,
      state: this.state,
      counters: this.#counters,
      logger,
      onPass: () => this.#puller.replan(),
    });
    this.#intake = new RingIntake({
      apply: (ring) => this.#apply(ring),
      current: () => this.state.ring,
      nodeId: options.nodeId,
      logger,
    });
  }

  /** The store's removal hook (keeps tombstones for shards being received). */
  readonly onRemove = (key: string, reason: RemovalReason): void => {
    this.state.onRemoved(key, reason);
  };

  /**
   * Start-up reload, for every persisted entry: true when it is one of the runtime's own records
   * (it must not go into the store), false for a cache entry (noted for the shard bookkeeping).
   */
  reloaded(entry: PersistedEntry): boolean {
    if (isReservedKey(entry.key)) {
      this.#restored.accept(entry.key, entry.value);
      return true;
    }
    this.state.noteLoadedKey(entry.key);
    return false;
  }

  /** After the reload: takes the first ring from the file (if any), then follows the file. */
  async start(): Promise<void> {
    this.state.restore(this.#restored);
    if (this.#restored.ignored > 0) {
      this.#options.logger.warn('ignored unreadable migration records', {
        count: this.#restored.ignored,
      });
    }
    const path = this.#options.ringFile;
    if (path === null) return;
    this.#watcher = new RingFileWatcher({
      path,
      onText: (text) => this.#intake.offer(text, 'file'),
      logger: this.#options.logger,
      ...(this.#options.ringPollMs === undefined ? {} : { pollMs: this.#options.ringPollMs }),
    });
    await this.#watcher.start();
  }

  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    this.#puller.close();
    this.#sweeper.close();
    this.#clients.close();
  }

  // -- the admin port's cluster routes (admin/cluster-routes.ts) --

  ringDocument(): string | undefined {
    const ring = this.state.ring;
    return ring === undefined ? undefined : serializeRingDocument(ring);
  }

  offerRing(text: string): RingOffer {
    return this.#intake.offer(text, 'admin');
  }

  migrations(): MigrationsReport {
    return migrationsReport(this.state, {
      dropping: this.#sweeper.pending,
      droppedKeys: this.#counters.droppedKeys,
    });
  }

  load(): LoadReport {
    const load = this.#load;
    const roles = this.state.roles;
    const rates = load?.shardRates() ?? new Float64Array(0);
    return {
      node: this.state.nodeId,
      ringEpoch: this.state.ring?.epoch ?? null,
      sampleEvery: this.#sampleEvery,
      windowSeconds: load?.windowSeconds() ?? 0,
      requestRate: sum(rates),
      shards: (load?.hottest(rates.length, rates) ?? []).map(({ shard, rate }) => ({
        shard,
        rate,
        role: ROLE_NAMES[roles[shard] ?? 0] ?? 'unknown',
      })),
      hotKeys: load?.hotKeys(32) ?? { windowSeconds: 0, keys: [] },
    };
  }

  // -- ClusterStatsSource --

  get ringEpoch(): number | undefined {
    return this.state.ring?.epoch;
  }

  get ringRejections(): ReadonlyMap<string, number> {
    return this.#intake.rejected;
  }

  get migrationKeys(): ReadonlyMap<string, number> {
    return this.#counters.keys;
  }

  get migrationBytes(): ReadonlyMap<string, number> {
    return this.#counters.bytes;
  }

  get migrationsActive(): number {
    let active = 0;
    for (const reception of this.state.receptions.values()) {
      if (this.state.roles[reception.shard] === ROLE.FOREIGN) continue;
      for (const source of reception.sources) if (source.state !== 'done') active++;
    }
    return active;
  }

  get faultIns(): ReadonlyMap<string, number> {
    return this.#counters.faultIns;
  }

  get movedReplies(): number {
    return this.#counters.moved;
  }

  get droppedKeys(): number {
    return this.#counters.droppedKeys;
  }

  get tombstones(): number {
    let count = 0;
    for (const reception of this.state.receptions.values()) count += reception.tombstoneCount;
    return count;
  }

  get shardsByRole(): ReadonlyMap<string, number> {
    const counts = new Map<string, number>([
      ['owned', 0],
      ['receiving', 0],
      ['preparing', 0],
    ]);
    for (const role of this.state.roles) {
      const name = ROLE_NAMES[role];
      if (name !== undefined && counts.has(name)) counts.set(name, counts.get(name)! + 1);
    }
    return counts;
  }

  get requestRate(): number {
    return this.#load === undefined ? 0 : sum(this.#load.shardRates());
  }

  hottestShards(n: number): readonly { shard: number; rate: number }[] {
    return this.#load?.hottest(n) ?? [];
  }

  #apply(ring: Ring): void {
    if (this.#closed) return;
    const effects = this.state.applyRing(ring);
    this.#load ??= new LoadTracker({
      clock: this.#options.clock,
      shardCount: ring.shardCount,
      sampleEvery: this.#sampleEvery,
    });
    this.#sweeper.want([...effects.purge, ...effects.drop]);
    this.#puller.replan();
  }
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
