import type { ServiceError } from '@grpc/grpc-js';
import type { Ring } from '../cluster/ring.ts';
import { nodeById } from '../cluster/ring-owners.ts';
import type { FetchedKey } from '../server/grpc/messages.ts';
import { STATUS_TRAILER } from '../server/grpc/status-map.ts';
import { ERRORS } from '../server/resp/errors.ts';
import type { Logger } from '../util/logger.ts';
import type { ClusterState } from './cluster-state.ts';
import type { Importer } from './importer.ts';
import type { MigrationCounters } from './migration-counters.ts';
import type { Reception } from './reception.ts';
import type { RingPusher } from './ring-push.ts';
import type { SourceClients } from './source-clients.ts';

export interface FaultInOptions {
  readonly state: ClusterState;
  readonly importer: Importer;
  readonly clients: SourceClients;
  readonly pusher: RingPusher;
  readonly counters: MigrationCounters;
  readonly logger: Logger;
  /** How long one source may take to answer before the command gets TRYAGAIN. @default 2000 */
  readonly timeoutMs?: number;
}

/** The error a command gets when a source cannot answer for its key. */
export function unreachableError(shard: number): string {
  return `TRYAGAIN shard ${shard} is migrating and its source is unreachable`;
}

function behindError(shard: number, epoch: number): string {
  return `TRYAGAIN shard ${shard} is migrating and its source has not loaded ring epoch ${epoch} yet`;
}

/**
 * Brings an unresolved key of a shard being received into the store before a command runs on
 * it: the sources are asked newest first (FetchKeys), and the first that knows the key decides
 * (its value is imported, its tombstone kept); a key no source knows is resolved as absent. The
 * promise resolves to undefined once the key is resolved, or to the error the command must get
 * (a source unreachable or not yet on our ring: TRYAGAIN, never a guess). Concurrent fault-ins
 * of one key share one fetch, and the keys asked of one source in the same tick share one call.
 */
export class FaultIn {
  readonly #options: FaultInOptions;
  readonly #inflight = new Map<string, Promise<string | undefined>>();
  readonly #batches = new Map<string, Batch>();
  readonly #timeoutMs: number;

  constructor(options: FaultInOptions) {
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? 2000;
  }

  fetch(reception: Reception, key: string): Promise<string | undefined> {
    let promise = this.#inflight.get(key);
    if (promise === undefined) {
      promise = this.#resolve(reception, key).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, promise);
    }
    return promise;
  }

  async #resolve(reception: Reception, key: string): Promise<string | undefined> {
    const { state, importer, counters } = this.#options;
    const ring = state.ring;
    if (ring === undefined) return undefined;
    for (const source of reception.pendingSources()) {
      const node = nodeById(ring, source.from);
      if (node === undefined) continue;
      let fetched: FetchedKey;
      try {
        fetched = await this.#ask(node.grpcAddress, ring, key);
      } catch (error) {
        counters.faultIn('failed');
        return this.#failure(reception.shard, ring, node.adminAddress, error);
      }
      // The ring changed meanwhile: the command is routed again and decides afresh.
      if (state.receptions.get(reception.shard) !== reception) return undefined;
      switch (fetched.presence) {
        case 'PRESENCE_FOUND': {
          counters.faultIn('found');
          const outcome = importer.value(reception, key, fetched.value, fetched.expire_at_ms);
          if (outcome === 'expired') reception.markFetched(key);
          return outcome === 'unwritable' ? ERRORS.PERSISTENCE_REFUSED : undefined;
        }
        case 'PRESENCE_DELETED':
          counters.faultIn('deleted');
          importer.tombstone(reception, key);
          return undefined;
        case 'PRESENCE_ABSENT':
          counters.faultIn('absent');
          reception.markFetched(key);
          return undefined;
        default:
        // Not known there, and that source was itself still receiving: ask the next older one.
      }
    }
    counters.faultIn('absent');
    reception.markFetched(key);
    return undefined;
  }

  #failure(shard: number, ring: Ring, adminAddress: string, error: unknown): string {
    const reason = (error as ServiceError).metadata?.get(STATUS_TRAILER)[0];
    if (reason === 'RING_BEHIND') {
      this.#options.pusher.push(ring, adminAddress);
      return behindError(shard, ring.epoch);
    }
    this.#options.logger.debug('fault-in failed', { shard, error });
    return unreachableError(shard);
  }

  /** Asks one source about one key, batched with the other keys asked of it in this tick. */
  #ask(address: string, ring: Ring, key: string): Promise<FetchedKey> {
    const batchKey = `${address}@${ring.epoch}`;
    let batch = this.#batches.get(batchKey);
    if (batch === undefined) {
      batch = { keys: [], waiters: [] };
      this.#batches.set(batchKey, batch);
      const sending = batch;
      queueMicrotask(() => {
        this.#batches.delete(batchKey);
        this.#send(address, ring, sending);
      });
    }
    const waiting = batch;
    return new Promise((resolve, reject) => {
      waiting.keys.push(Buffer.from(key, 'latin1'));
      waiting.waiters.push({ resolve, reject });
    });
  }

  #send(address: string, ring: Ring, batch: Batch): void {
    const client = this.#options.clients.for(address);
    client
      .fetchKeys(
        { keys: batch.keys, shard_count: ring.shardCount, ring_epoch: ring.epoch },
        { deadlineMs: this.#timeoutMs },
      )
      .then(
        ({ results }) => {
          batch.waiters.forEach((waiter, i) => {
            const result = results[i];
            if (result === undefined) waiter.reject(new Error('FetchKeys answered too few keys'));
            else waiter.resolve(result);
          });
        },
        (error: unknown) => batch.waiters.forEach((waiter) => waiter.reject(error)),
      );
  }
}

interface Batch {
  readonly keys: Buffer[];
  readonly waiters: { resolve: (key: FetchedKey) => void; reject: (error: unknown) => void }[];
}
