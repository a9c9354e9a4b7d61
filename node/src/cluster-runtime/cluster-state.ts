import type { RemovalReason } from '../core/store-types.ts';
import type { Ring, ShardMigration } from '../cluster/ring.ts';
import { MAX_SHARD_COUNT } from '../cluster/ring.ts';
import { ownerTable } from '../cluster/ring-owners.ts';
import { keyHash } from '../cluster/shard-of.ts';
import type { GrpcClusterPort, SourceView } from '../server/grpc/cluster-port.ts';
import type { Clock } from '../util/clock.ts';
import { Reception } from './reception.ts';
import type { ReceptionJournal, RestoredEntries } from './reception-journal.ts';

/**
 * What this node does with each shard, one byte per shard for the command path:
 * - OWNED: serve it (it is ours and held completely);
 * - RECEIVING: serve it, fetching unresolved keys from the sources first (reception.ts);
 * - PREPARING: ours, but stale leftovers of an earlier ownership are being removed: TRYAGAIN;
 * - FOREIGN: another node's: MOVED (this node may still be a migration source of it).
 */
export const ROLE = { OWNED: 1, RECEIVING: 2, PREPARING: 3, FOREIGN: 4 } as const;

/** What a new ring asks of the background work. */
export interface RingEffects {
  /** Shards whose leftovers must be removed before they are served (new receptions). */
  readonly purge: readonly number[];
  /** Shards that moved away and whose copies are finished: their keys are to be removed. */
  readonly drop: readonly number[];
}

export interface ClusterStateOptions {
  /** This node's id in the ring (--node-id). */
  readonly nodeId: string;
  readonly journal: ReceptionJournal;
  readonly clock: Clock;
}

/**
 * The node's view of the ring: the role of every shard, the receptions of shards migrating in,
 * and which shards may still have keys here. It applies rings (deciding which receptions start,
 * resume or end, and which shards to drop), keeps tombstones through the store's removal hook,
 * and answers the migration calls of nodes pulling shards from this one (GrpcClusterPort's
 * source side). No I/O of its own: persistence goes through the journal, the rest is the runtime's.
 */
export class ClusterState implements Pick<
  GrpcClusterPort,
  'checkMigration' | 'sourceView' | 'isTombstoned' | 'tombstonesOf'
> {
  readonly nodeId: string;
  readonly receptions = new Map<number, Reception>();
  /** One byte per shard (ROLE); empty until the first ring. */
  roles: Uint8Array = new Uint8Array(0);
  readonly #journal: ReceptionJournal;
  readonly #clock: Clock;
  #ring: Ring | undefined;
  #isSource = new Uint8Array(0);
  /** Shards of which this node may hold keys (so that dropping or purging them has work). */
  #mayHold = new Uint8Array(0);
  /** Low 16 bits of the key hashes seen at reload: which shards had keys, for any shard count. */
  #loaded: Uint8Array | undefined = new Uint8Array(MAX_SHARD_COUNT);
  #restored: RestoredEntries | undefined;
  #moved: (string | undefined)[] = [];
  #pulling = 0;

  constructor(options: ClusterStateOptions) {
    this.nodeId = options.nodeId;
    this.#journal = options.journal;
    this.#clock = options.clock;
  }

  get ring(): Ring | undefined {
    return this.#ring;
  }

  /** The shard of a key (a latin1 string or its bytes) in the current ring. */
  shardOf(key: string | Uint8Array): number {
    return keyHash(key) & (this.roles.length - 1);
  }

  /** Start-up reload: a cache key that was loaded (before the first ring). */
  noteLoadedKey(key: string): void {
    if (this.#loaded !== undefined) this.#loaded[keyHash(key) & (MAX_SHARD_COUNT - 1)] = 1;
  }

  /** Start-up reload: the reserved entries (records, tombstones), used at the first ring. */
  restore(entries: RestoredEntries): void {
    this.#restored = entries;
  }

  /** `MOVED <shard> <owner's RESP host:port>` (Redis Cluster's format), built once per ring. */
  movedError(shard: number): string {
    let text = this.#moved[shard];
    if (text === undefined) {
      text = `MOVED ${shard} ${this.#owner(shard)?.address ?? '?:0'}`;
      this.#moved[shard] = text;
    }
    return text;
  }

  /** `<shard> <owner's gRPC host:port>`, for the gRPC MOVED trailer. */
  movedGrpc(shard: number): string {
    return `${shard} ${this.#owner(shard)?.grpcAddress ?? '?:0'}`;
  }

  /** True while some reception is pulling (the removal hook has nothing to do otherwise). */
  get pulling(): boolean {
    return this.#pulling > 0;
  }

  isSource(shard: number): boolean {
    return this.#isSource[shard] === 1;
  }

  /**
   * Switches to `ring` (already accepted by acceptRing). For every shard: ours without sources is
   * OWNED (a finished reception ends); ours with sources continues its reception if the sources
   * are not newer than it, else starts a new one (purging first if we may hold leftovers);
   * another node's is FOREIGN, kept as it is while we are one of its sources, else dropped.
   */
  applyRing(ring: Ring): RingEffects {
    const previous = this.#ring === undefined ? undefined : this.roles;
    if (this.#ring === undefined) this.#initialise(ring.shardCount);
    this.#ring = ring;
    this.#moved = [];
    const count = ring.shardCount;
    const table = ownerTable(ring);
    const me = table.nodes.findIndex((node) => node.id === this.nodeId);
    // A node the ring does not list (a wrong --node-id, or one being removed) serves nothing but
    // drops nothing either: losing its keys to a typo would be worse than holding them.
    const member = me >= 0;
    const roles = new Uint8Array(count);
    const isSource = new Uint8Array(count);
    const purge: number[] = [];
    const drop: number[] = [];
    const restored = this.#restored?.records;
    for (let shard = 0; shard < count; shard++) {
      const migrations = table.migrations.get(shard) ?? [];
      let reception = this.receptions.get(shard) ?? this.#fromRecord(shard, migrations);
      if (table.owners[shard] === me) {
        if (migrations.length === 0) {
          if (reception?.state !== 'purging') {
            if (reception !== undefined) this.#end(reception);
            reception = undefined;
            // Ours again with no source to copy from (the owner in between left the ring): what
            // we still hold predates its writes, so it goes rather than being served stale.
            if (previous?.[shard] === ROLE.FOREIGN && this.#mayHold[shard] === 1) {
              reception = new Reception(shard, ring.epoch, 'purging', []);
              this.receptions.set(shard, reception);
              this.#journal.save(reception);
            }
          }
          if (reception !== undefined) purge.push(shard);
          roles[shard] = reception === undefined ? ROLE.OWNED : roleOf(reception);
        } else {
          const newest = migrations[0]!.startedEpoch;
          if (reception !== undefined && newest <= reception.since) {
            reception.syncSources(migrations);
            if (reception.state === 'done') this.#dropResolution(reception);
          } else {
            if (reception !== undefined) this.#end(reception);
            const state = this.#mayHold[shard] === 1 ? 'purging' : 'pulling';
            reception = new Reception(shard, newest, state, migrations);
            reception.syncSources(migrations);
            this.receptions.set(shard, reception);
          }
          this.#journal.save(reception);
          if (reception.state === 'purging') purge.push(shard);
          roles[shard] = roleOf(reception);
        }
        this.#mayHold[shard] = 1;
      } else {
        roles[shard] = ROLE.FOREIGN;
        if (migrations.some((migration) => migration.from === this.nodeId)) {
          // A source keeps the shard as it is (its reception, if any, frozen) for the new owner.
          isSource[shard] = 1;
          if (reception?.state === 'purging') purge.push(shard);
        } else {
          if (reception !== undefined) this.#end(reception);
          if (this.#mayHold[shard] === 1 && member) drop.push(shard);
        }
      }
      restored?.delete(shard);
    }
    this.roles = roles;
    this.#isSource = isSource;
    this.#finishRestore();
    this.#countPulling();
    return { purge, drop };
  }

  /** The purge of a shard's leftovers is over (shard-sweeper.ts). */
  purged(shard: number): void {
    const reception = this.receptions.get(shard);
    if (reception?.state !== 'purging') return;
    reception.startPulling();
    this.#journal.save(reception);
    if (this.roles[shard] !== ROLE.FOREIGN) this.roles[shard] = roleOf(reception);
    this.#countPulling();
  }

  /** The keys of a dropped shard are all gone. */
  dropped(shard: number): void {
    if (this.roles[shard] === ROLE.FOREIGN && this.#isSource[shard] === 0) this.#mayHold[shard] = 0;
  }

  /** True while a shard's keys here are to be removed (dropped, or leftovers being purged). */
  shouldRemove(shard: number): boolean {
    if (this.receptions.get(shard)?.state === 'purging') return true;
    return this.roles[shard] === ROLE.FOREIGN && this.#isSource[shard] === 0;
  }

  /** The copy of `from` into a received shard finished; see Reception.markSourceDone. */
  sourceDone(reception: Reception, from: string, complete: boolean): void {
    if (this.receptions.get(reception.shard) !== reception) return;
    const finished = reception.markSourceDone(from, complete, this.#clock.now());
    if (finished) this.#dropResolution(reception);
    this.#journal.save(reception);
    if (finished && this.roles[reception.shard] === ROLE.RECEIVING) {
      this.roles[reception.shard] = ROLE.OWNED;
    }
    this.#countPulling();
  }

  /** A tombstone learnt from a source, or made by a fault-in. */
  addTombstone(reception: Reception, key: string): void {
    if (reception.addTombstone(key)) this.#journal.addTombstone(key);
  }

  /**
   * The store's removal hook: a key deleted, expired or evicted from a shard being received must
   * stay dead even though a source still has a copy.
   */
  onRemoved(key: string, reason: RemovalReason): void {
    if (this.#pulling === 0 || reason === 'flushed') return;
    const reception = this.receptions.get(this.shardOf(key));
    if (reception?.state === 'pulling') this.addTombstone(reception, key);
  }

  /**
   * FLUSHALL: every key is gone, here and (as far as this node is concerned) at the sources, so
   * every reception is over. The persistence port's clear also removes the records, so they are
   * written again once the flush has run (the caller schedules `afterFlush`).
   */
  flush(): void {
    const now = this.#clock.now();
    for (const reception of this.receptions.values()) {
      reception.flush(now);
      reception.dropResolution();
      const shard = reception.shard;
      if (this.roles[shard] !== ROLE.FOREIGN) this.roles[shard] = ROLE.OWNED;
    }
    this.#countPulling();
  }

  afterFlush(): void {
    for (const reception of this.receptions.values()) this.#journal.save(reception);
  }

  // -- the source side of migration calls (GrpcClusterPort) --

  checkMigration(
    ringEpoch: number,
    shardCount: number,
  ): ReturnType<GrpcClusterPort['checkMigration']> {
    const ring = this.#ring;
    if (!(ringEpoch >= 1)) return { reason: 'BAD_REQUEST', message: 'ring_epoch is required' };
    if (ring === undefined) {
      return { reason: 'RING_BEHIND', message: 'this node has no ring yet' };
    }
    if (shardCount !== ring.shardCount) {
      return {
        reason: 'BAD_REQUEST',
        message: `shard_count ${shardCount} differs from this node's ${ring.shardCount}`,
      };
    }
    if (ring.epoch < ringEpoch) {
      return {
        reason: 'RING_BEHIND',
        message: `this node's ring is at epoch ${ring.epoch}, the caller's at ${ringEpoch}`,
      };
    }
    return undefined;
  }

  sourceView(shard: number): SourceView {
    if (this.#ring === undefined) return 'empty';
    const reception = this.receptions.get(shard);
    if (reception !== undefined) {
      if (reception.state === 'purging') return 'empty';
      return reception.state === 'pulling' ? 'partial' : 'complete';
    }
    if (this.roles[shard] === ROLE.OWNED || this.#isSource[shard] === 1) return 'complete';
    return 'empty';
  }

  isTombstoned(key: string): boolean {
    if (this.#ring === undefined) return false;
    return this.receptions.get(this.shardOf(key))?.isTombstoned(key) ?? false;
  }

  tombstonesOf(shard: number): Iterable<string> {
    const reception = this.receptions.get(shard);
    return reception?.state === 'pulling' ? reception.tombstones() : [];
  }

  #owner(shard: number) {
    const ring = this.#ring;
    if (ring === undefined) return undefined;
    const table = ownerTable(ring);
    return table.nodes[table.owners[shard]!];
  }

  #initialise(count: number): void {
    this.roles = new Uint8Array(count);
    this.#isSource = new Uint8Array(count);
    this.#mayHold = new Uint8Array(count);
    const loaded = this.#loaded;
    if (loaded !== undefined) {
      for (let hash = 0; hash < loaded.length; hash++) {
        if (loaded[hash] === 1) this.#mayHold[hash & (count - 1)] = 1;
      }
      this.#loaded = undefined;
    }
  }

  /** A reception persisted before a restart, resumed with the ring's sources. */
  #fromRecord(shard: number, migrations: readonly ShardMigration[]): Reception | undefined {
    const record = this.#restored?.records.get(shard);
    if (record === undefined) return undefined;
    const reception = Reception.fromRecord(shard, record, migrations);
    this.receptions.set(shard, reception);
    return reception;
  }

  /** After the first ring: tombstones go to their receptions; records nobody needs are deleted. */
  #finishRestore(): void {
    const restored = this.#restored;
    if (restored === undefined) return;
    this.#restored = undefined;
    for (const shard of restored.records.keys()) this.#journal.delete(shard);
    const orphans: string[] = [];
    for (const key of restored.tombstones) {
      const reception = this.receptions.get(this.shardOf(key));
      if (reception?.state === 'pulling') reception.restoreTombstone(key);
      else orphans.push(key);
    }
    this.#journal.deleteTombstones(orphans);
  }

  #end(reception: Reception): void {
    this.#journal.deleteTombstones(reception.dropResolution());
    this.#journal.delete(reception.shard);
    this.receptions.delete(reception.shard);
  }

  #dropResolution(reception: Reception): void {
    this.#journal.deleteTombstones(reception.dropResolution());
  }

  #countPulling(): void {
    let pulling = 0;
    for (const reception of this.receptions.values()) if (reception.state === 'pulling') pulling++;
    this.#pulling = pulling;
  }
}

function roleOf(reception: Reception): number {
  if (reception.state === 'purging') return ROLE.PREPARING;
  return reception.state === 'pulling' ? ROLE.RECEIVING : ROLE.OWNED;
}
