/**
 * The shapes of cache.proto's messages as @grpc/proto-loader decodes them with the
 * PROTO_LOADER_OPTIONS of platform/grpc-proto.ts (snake_case names, numbers for 64-bit fields,
 * defaults filled in).
 * Kept by hand: the proto is small, and generated code would need a build step.
 */
export interface KeyRequest {
  readonly key: Buffer;
}

export interface GetResponse {
  readonly found: boolean;
  readonly value: Buffer;
  readonly expire_at_ms: number;
}

export interface SetRequest {
  readonly key: Buffer;
  readonly value: Buffer;
  /** Which member of the `expiry` oneof is set, if any. */
  readonly expiry?: 'ttl_ms' | 'expire_at_ms';
  readonly ttl_ms?: number;
  readonly expire_at_ms?: number;
  readonly nx: boolean;
  readonly xx: boolean;
}

export interface KeysRequest {
  readonly keys: readonly Buffer[];
}

export interface MultiSetRequest {
  readonly items: readonly SetRequest[];
}

export interface Entry {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly expire_at_ms: number;
}

export interface ScanRequest extends ShardScanFields {
  readonly start_key: Buffer;
  readonly end_key: Buffer;
  readonly batch_size: number;
  readonly include_values: boolean;
}

export interface StatsResponse {
  readonly node: string;
  readonly policy: string;
  readonly state: string;
  readonly uptime_ms: number;
  readonly items: number;
  readonly items_with_ttl: number;
  readonly bytes_used: number;
  readonly bytes_capacity: number;
  readonly hits: number;
  readonly misses: number;
  readonly evicted_capacity: number;
  readonly evicted_expired: number;
  readonly durability: string;
  readonly persistence_state: string;
  readonly persistence_backlog: number;
}

export interface ShardScanFields {
  readonly shards: readonly number[];
  readonly shard_count: number;
  readonly ring_epoch: number;
  readonly include_tombstones: boolean;
}

/** A migration scan's entry may be a tombstone. */
export interface MigrationEntry extends Entry {
  readonly deleted: boolean;
}

export interface ScanResponse {
  readonly entries: readonly MigrationEntry[];
  readonly partial_shards: readonly number[];
  readonly done: boolean;
}

export type Presence =
  'PRESENCE_UNKNOWN' | 'PRESENCE_FOUND' | 'PRESENCE_DELETED' | 'PRESENCE_ABSENT';

export interface FetchKeysRequest {
  readonly keys: readonly Buffer[];
  readonly shard_count: number;
  readonly ring_epoch: number;
}

export interface FetchedKey {
  readonly presence: Presence;
  readonly value: Buffer;
  readonly expire_at_ms: number;
}

export interface FetchKeysResponse {
  readonly results: readonly FetchedKey[];
}
