/**
 * What the metrics module reads at scrape time. Each subsystem keeps plain counters on its hot
 * path (no prom-client call per request) and the composition root hands those objects to
 * `createNodeMetrics`, which turns them into Prometheus metrics in `collect()` callbacks. These
 * interfaces are structural, so subsystems satisfy them without importing this folder.
 */

/** A latency histogram kept as plain numbers. */
export interface HistogramSource {
  /** Upper bounds of the buckets in seconds, ascending (the +Inf bucket is implicit). */
  readonly bounds: readonly number[];
  /** Non-cumulative counts, one per bound plus one for +Inf (length bounds.length + 1). */
  readonly counts: ArrayLike<number>;
  /** Sum of all observations in seconds. */
  readonly sum: number;
  /** Number of observations. */
  readonly count: number;
}

/** The RESP front end's counters. */
export interface CommandStatsSource {
  /**
   * Visits every command that ran or was refused at least once, with its lowercase name: calls
   * that ran, those of them that failed, and those refused before running (Redis's
   * commandstats calls, failed_calls and rejected_calls).
   */
  forEachCommand(
    visit: (name: string, calls: number, errors: number, rejected: number) => void,
  ): void;
  /** Latency of command execution (parse to reply queued), all commands together. */
  readonly latency: HistogramSource;
  readonly connectedClients: number;
  readonly totalConnections: number;
  /** Connections closed because the protocol stream was broken. */
  readonly protocolErrors: number;
}

/** Pub/Sub's registry (server/resp/pubsub/pubsub-hub.ts). */
export interface PubSubStatsSource {
  /** Names with at least one subscriber, by namespace. */
  size(kind: 'channel' | 'pattern' | 'shard'): number;
  /** Messages handed to subscribers since start (one per subscriber reached). */
  readonly delivered: number;
}

/** Client-side caching's registry (server/resp/tracking/tracking-registry.ts). */
export interface TrackingStatsSource {
  /** Clients with CLIENT TRACKING on. */
  readonly clients: number;
  /** Keys remembered for clients in the default mode. */
  readonly keys: number;
  /** BCAST prefixes in use. */
  readonly prefixes: number;
  /** Invalidation messages sent since start (a null after a flush counts as one). */
  readonly sent: number;
}

/** The persistence adapter's counters. */
export interface PersistenceStatsSource {
  /** Changes recorded but not yet written to RocksDB. */
  readonly backlog: number;
  /** Duration of RocksDB batch writes. */
  readonly writeLatency: HistogramSource;
  readonly writeErrors: number;
  readonly writable: boolean;
}
