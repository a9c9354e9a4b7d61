/** Outcomes of a fault-in, as the fault-in metric's `result` label. */
export type FaultResult = 'found' | 'deleted' | 'absent' | 'failed';

/**
 * The cluster runtime's counters, as plain numbers that metrics read at scrape time. Per source
 * node rather than per migration: a scale-out moves hundreds of shards, and a series per shard
 * would come and go with every migration (the per-migration figures are on /v1/migrations).
 */
export class MigrationCounters {
  /** Entries imported and their key + value bytes, by source node. */
  readonly keys = new Map<string, number>();
  readonly bytes = new Map<string, number>();
  readonly faultIns = new Map<FaultResult, number>();
  /** Commands answered MOVED (RESP) or FAILED_PRECONDITION MOVED (gRPC). */
  moved = 0;
  /** Keys removed because their shard moved away, or as stale leftovers of a shard received again. */
  droppedKeys = 0;

  imported(from: string, bytes: number): void {
    this.keys.set(from, (this.keys.get(from) ?? 0) + 1);
    this.bytes.set(from, (this.bytes.get(from) ?? 0) + bytes);
  }

  faultIn(result: FaultResult): void {
    this.faultIns.set(result, (this.faultIns.get(result) ?? 0) + 1);
  }
}
