import type { ServiceError } from '@grpc/grpc-js';
import { nodeById } from '../cluster/ring-owners.ts';
import type { ScanResponse } from '../server/grpc/messages.ts';
import { STATUS_TRAILER } from '../server/grpc/status-map.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/logger.ts';
import { ROLE } from './cluster-state.ts';
import type { ClusterState } from './cluster-state.ts';
import type { Importer } from './importer.ts';
import type { MigrationCounters } from './migration-counters.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { Reception, SourceProgress } from './reception.ts';
import type { RingPusher } from './ring-push.ts';
import type { SourceClients } from './source-clients.ts';

export interface ShardPullerOptions {
  readonly state: ClusterState;
  readonly importer: Importer;
  readonly clients: SourceClients;
  readonly pusher: RingPusher;
  readonly limiter: RateLimiter;
  readonly counters: MigrationCounters;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Entries per scanned message. @default 256 */
  readonly batchSize?: number;
  /** Sources copied from at the same time. @default 2 */
  readonly maxConcurrent?: number;
  /** Wait before retrying a failed copy, doubling up to the maximum. @default 500 .. 10000 ms */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

interface Retry {
  readonly at: number;
  readonly backoffMs: number;
}

/**
 * Copies received shards from their sources: one migration Scan per source node, covering every
 * shard whose turn it is at that source (a shard reads its sources newest first, so an older
 * source's copy is only read once the newer ones are done), bandwidth-limited by the shared
 * RateLimiter. Each entry goes through the Importer, so a key resolved here is never replaced.
 *
 * When a scan ends, each of its shards is done at that source; a source that held a shard
 * completely makes its older sources unnecessary. A failed scan (source unreachable, its ring
 * behind ours, a broken stream) is retried from the start with backoff: re-importing is safe.
 */
export class ShardPuller {
  readonly #options: ShardPullerOptions;
  readonly #running = new Map<string, { cancel(): void }>();
  readonly #retries = new Map<string, Retry>();
  #timer: NodeJS.Timeout | undefined;
  readonly #sleepers = new Set<() => void>();
  #closed = false;

  constructor(options: ShardPullerOptions) {
    this.#options = options;
  }

  /** Sources being copied from now. */
  get active(): number {
    return this.#running.size;
  }

  /** Starts the copies whose turn it is; called after every ring and state change. */
  replan(): void {
    if (this.#closed) return;
    const { state, clock } = this.#options;
    const bySource = new Map<string, Reception[]>();
    for (const reception of state.receptions.values()) {
      if (state.roles[reception.shard] !== ROLE.RECEIVING) continue;
      const source = reception.currentSource();
      if (source === undefined || source.state === 'pulling') continue;
      const list = bySource.get(source.from) ?? [];
      list.push(reception);
      bySource.set(source.from, list);
    }
    const now = clock.monotonic();
    let nextRetry = Infinity;
    for (const [from, receptions] of bySource) {
      if (this.#running.has(from)) continue;
      if (this.#running.size >= (this.#options.maxConcurrent ?? 2)) break;
      const retry = this.#retries.get(from);
      if (retry !== undefined && retry.at > now) {
        nextRetry = Math.min(nextRetry, retry.at);
        continue;
      }
      this.#start(from, receptions);
    }
    if (nextRetry !== Infinity) this.#wakeAt(nextRetry - now);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const job of this.#running.values()) job.cancel();
    for (const wake of this.#sleepers) wake();
  }

  /** Waits for the rate limiter; cut short by close(), and never keeps the process alive. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.#sleepers.add(wake);
    });
  }

  #wakeAt(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.replan(), Math.max(10, delayMs));
    this.#timer.unref();
  }

  #start(from: string, receptions: Reception[]): void {
    const { state, clients, clock, logger } = this.#options;
    const ring = state.ring!;
    const node = nodeById(ring, from);
    if (node === undefined) return;
    const now = clock.now();
    for (const reception of receptions) {
      const source = progressOf(reception, from)!;
      source.state = 'pulling';
      source.startedAt ??= now;
    }
    const stream = clients.for(node.grpcAddress).scan({
      shards: receptions.map((reception) => reception.shard),
      shard_count: ring.shardCount,
      ring_epoch: ring.epoch,
      include_values: true,
      include_tombstones: true,
      batch_size: this.#options.batchSize ?? 256,
    });
    let cancelled = false;
    this.#running.set(from, {
      cancel: () => {
        cancelled = true;
        stream.cancel();
      },
    });
    logger.info('migration pull started', { from, shards: receptions.length, epoch: ring.epoch });
    this.#copy(from, receptions, stream, () => cancelled)
      .then(
        () => {
          this.#retries.delete(from);
          logger.info('migration pull finished', { from, shards: receptions.length });
        },
        (error: unknown) => {
          if (cancelled) return;
          this.#failed(from, node.adminAddress, receptions, error);
        },
      )
      .finally(() => {
        this.#running.delete(from);
        this.replan();
      });
  }

  async #copy(
    from: string,
    receptions: readonly Reception[],
    stream: AsyncIterable<ScanResponse>,
    cancelled: () => boolean,
  ): Promise<void> {
    const { state, importer, limiter, counters } = this.#options;
    let partial: ReadonlySet<number> | undefined;
    for await (const message of stream) {
      let bytes = 0;
      for (const entry of message.entries) {
        const key = entry.key.toString('latin1');
        bytes += entry.key.length + entry.value.length;
        const reception = state.receptions.get(state.shardOf(key));
        // Skipped when the shard's reception changed meanwhile (a new ring).
        if (reception === undefined || reception.currentSource()?.from !== from) continue;
        const source = progressOf(reception, from)!;
        if (entry.deleted) {
          if (importer.tombstone(reception, key)) source.tombstones++;
          continue;
        }
        const outcome = importer.value(reception, key, entry.value, entry.expire_at_ms);
        if (outcome === 'unwritable') throw new Error('persistence refuses writes');
        if (outcome === 'imported') {
          const size = entry.key.length + entry.value.length;
          source.keys++;
          source.bytes += size;
          counters.imported(from, size);
        }
      }
      if (message.done) partial = new Set(message.partial_shards);
      const wait = limiter.take(bytes);
      if (wait > 0) await this.#sleep(wait);
      if (cancelled()) return;
    }
    if (partial === undefined) throw new Error('the migration scan ended before its last message');
    for (const reception of receptions) {
      state.sourceDone(reception, from, !partial.has(reception.shard));
    }
  }

  #failed(from: string, adminAddress: string, receptions: Reception[], error: unknown): void {
    const { state, pusher, clock, logger } = this.#options;
    const reason = (error as ServiceError).metadata?.get(STATUS_TRAILER)[0];
    const message = error instanceof Error ? error.message : String(error);
    if (reason === 'RING_BEHIND' && state.ring !== undefined) pusher.push(state.ring, adminAddress);
    for (const reception of receptions) {
      const source = progressOf(reception, from);
      if (source !== undefined && source.state === 'pulling') {
        source.state = 'retrying';
        source.error = message;
      }
    }
    const previous = this.#retries.get(from);
    const minMs = this.#options.retryMinMs ?? 500;
    const backoffMs = Math.min(
      this.#options.retryMaxMs ?? 10_000,
      previous === undefined ? minMs : previous.backoffMs * 2,
    );
    this.#retries.set(from, { at: clock.monotonic() + backoffMs, backoffMs });
    logger.warn('migration pull failed; will retry', { from, backoffMs, reason, error: message });
  }
}

function progressOf(reception: Reception, from: string): SourceProgress | undefined {
  return reception.sources.find((source) => source.from === from);
}
