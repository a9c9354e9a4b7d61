import { DEFAULT_LOAD_FACTOR } from './assign.ts';
import { RING_SCHEMA_VERSION } from './ring.ts';
import type { Ring, RingNode, ShardMigration } from './ring.ts';
import { validateRingJson } from './ring-schema.ts';
import type { RingResult } from './ring-schema.ts';
import { DEFAULT_SHARD_COUNT } from './shard-of.ts';

/**
 * The ring as text: parsing (strict, never throws) and serialisation (canonical: fixed key order,
 * sorted nodes, overrides and migrations, two-space indent and a final newline), so that the
 * ConfigMap holding a ring changes only when the ring does, and diffs of it read well.
 */

/** Parses and validates a ring document; every problem is listed, with its path. */
export function parseRingDocument(text: string): RingResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`(document): not valid JSON: ${(error as Error).message}`] };
  }
  return validateRingJson(value);
}

/** The canonical text of a ring. */
export function serializeRingDocument(ring: Ring): string {
  return `${JSON.stringify(ringToJson(ring), null, 2)}\n`;
}

/** The JSON form of a ring, keys in schema order. */
export function ringToJson(ring: Ring): Record<string, unknown> {
  const overrides: Record<string, string> = {};
  for (const [shard, node] of [...ring.overrides].sort((a, b) => a[0] - b[0])) {
    overrides[String(shard)] = node;
  }
  return {
    schemaVersion: ring.schemaVersion,
    epoch: ring.epoch,
    shardCount: ring.shardCount,
    loadFactor: ring.loadFactor,
    nodes: ring.nodes.map(nodeToJson),
    overrides,
    migrations: ring.migrations.map(migrationToJson),
  };
}

/** The parts of a ring a program provides; the rest defaults. */
export interface RingFields {
  readonly epoch: number;
  readonly nodes: readonly RingNode[];
  /** @default 4096 */
  readonly shardCount?: number;
  /** @default 1.1 */
  readonly loadFactor?: number;
  /** @default none */
  readonly overrides?: ReadonlyMap<number, string>;
  /** @default none */
  readonly migrations?: readonly ShardMigration[];
}

/** Builds a ring from fields, with the same validation and normalisation as a parsed document. */
export function createRing(fields: RingFields): RingResult {
  const overrides: Record<string, string> = {};
  for (const [shard, node] of fields.overrides ?? []) overrides[String(shard)] = node;
  return validateRingJson({
    schemaVersion: RING_SCHEMA_VERSION,
    epoch: fields.epoch,
    shardCount: fields.shardCount ?? DEFAULT_SHARD_COUNT,
    loadFactor: fields.loadFactor ?? DEFAULT_LOAD_FACTOR,
    nodes: fields.nodes.map(nodeToJson),
    overrides,
    migrations: (fields.migrations ?? []).map(migrationToJson),
  });
}

function nodeToJson(node: RingNode): RingNode {
  const { id, address, grpcAddress, adminAddress, weight, state } = node;
  return { id, address, grpcAddress, adminAddress, weight, state };
}

function migrationToJson(migration: ShardMigration): ShardMigration {
  const { shard, from, to, startedEpoch } = migration;
  return { shard, from, to, startedEpoch };
}
