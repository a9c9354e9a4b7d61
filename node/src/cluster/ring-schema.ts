import { compareIds } from './assign.ts';
import { MAX_SHARD_COUNT, NODE_STATES, ownsShards, RING_SCHEMA_VERSION } from './ring.ts';
import type { NodeState, Ring, RingNode, ShardMigration } from './ring.ts';
import { ownerOf } from './ring-owners.ts';
import { isPowerOfTwo } from './shard-of.ts';

/**
 * Validation of a ring in its JSON form (the parsed document), strict: unknown fields, wrong
 * types, out-of-range numbers and dangling references are all refused, each with its path
 * (`nodes[2].weight: must be a number > 0`), and every problem is listed, not just the first.
 */

/** A validated ring, or every problem found. */
export type RingResult =
  | { readonly ok: true; readonly ring: Ring }
  | { readonly ok: false; readonly problems: readonly string[] };

const RING_FIELDS = [
  'schemaVersion',
  'epoch',
  'shardCount',
  'loadFactor',
  'nodes',
  'overrides',
  'migrations',
] as const;
const NODE_FIELDS = ['id', 'address', 'grpcAddress', 'adminAddress', 'weight', 'state'] as const;
const MIGRATION_FIELDS = ['shard', 'from', 'to', 'startedEpoch'] as const;

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):(\d{1,5})$/;
const SHARD_KEY = /^(?:0|[1-9]\d*)$/;

type Json = Record<string, unknown>;

/** Validates and normalises the JSON form of a ring. */
export function validateRingJson(value: unknown): RingResult {
  const problems: string[] = [];
  if (!isObject(value)) return { ok: false, problems: ['(root): must be a JSON object'] };
  checkFields(value, RING_FIELDS, '', problems);
  if ('schemaVersion' in value && value.schemaVersion !== RING_SCHEMA_VERSION) {
    problems.push(
      `schemaVersion: unsupported ${JSON.stringify(value.schemaVersion)}, this build reads ${RING_SCHEMA_VERSION}`,
    );
  }
  const epoch = integer(value.epoch, 'epoch', 0, Number.MAX_SAFE_INTEGER, problems);
  const shardCount = value.shardCount;
  const shardsOk = isPowerOfTwo(shardCount as number) && (shardCount as number) <= MAX_SHARD_COUNT;
  if (!shardsOk && shardCount !== undefined) {
    problems.push(`shardCount: must be a power of two in [1, ${MAX_SHARD_COUNT}]`);
  }
  const loadFactor = value.loadFactor;
  const factorOk = typeof loadFactor === 'number' && Number.isFinite(loadFactor) && loadFactor >= 1;
  if (!factorOk && loadFactor !== undefined) {
    problems.push('loadFactor: must be a finite number >= 1');
  }
  const nodes = validateNodes(value.nodes, problems);
  const states = new Map(nodes.map((node) => [node.id, node.state]));
  const maxShard = shardsOk ? (shardCount as number) - 1 : Infinity;
  const overrides = validateOverrides(value.overrides, states, maxShard, problems);
  const migrations = validateMigrations(value.migrations, states, maxShard, epoch, problems);
  if (problems.length > 0) return { ok: false, problems };
  const ring: Ring = {
    schemaVersion: RING_SCHEMA_VERSION,
    epoch: epoch!,
    shardCount: shardCount as number,
    loadFactor: loadFactor as number,
    nodes: nodes.sort((a, b) => compareIds(a.id, b.id)),
    overrides: new Map([...overrides].sort((a, b) => a[0] - b[0])),
    migrations: [...migrations].sort((a, b) => a.shard - b.shard || compareIds(a.from, b.from)),
  };
  // Only now is the ring whole enough to compute owners: a copy must go to the shard's owner.
  migrations.forEach((migration, i) => {
    const owner = ownerOf(ring, migration.shard);
    if (migration.to !== owner) {
      problems.push(
        `migrations[${i}].to: must be the shard's owner "${owner}", not "${migration.to}"`,
      );
    }
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, ring };
}

function validateNodes(value: unknown, problems: string[]): RingNode[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push('nodes: must be an array');
    return [];
  }
  const nodes: RingNode[] = [];
  const seen = new Set<string>();
  value.forEach((item: unknown, i) => {
    const at = `nodes[${i}]`;
    if (!isObject(item)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    const before = problems.length;
    checkFields(item, NODE_FIELDS, `${at}.`, problems);
    const { id, weight, state } = item;
    if (typeof id === 'string' && NODE_ID.test(id)) {
      if (seen.has(id)) problems.push(`${at}.id: duplicate node id "${id}"`);
      seen.add(id);
    } else if (id !== undefined) {
      problems.push(
        `${at}.id: must be 1-253 chars of [A-Za-z0-9._-], starting with a letter or digit`,
      );
    }
    for (const field of ['address', 'grpcAddress', 'adminAddress'] as const) {
      if (item[field] === undefined) continue;
      const match = typeof item[field] === 'string' ? HOST_PORT.exec(item[field]) : null;
      const port = match ? Number(match[1]) : 0;
      if (port < 1 || port > 65535)
        problems.push(`${at}.${field}: must be host:port, port 1-65535`);
    }
    if (
      weight !== undefined &&
      !(typeof weight === 'number' && Number.isFinite(weight) && weight > 0)
    ) {
      problems.push(`${at}.weight: must be a finite number > 0`);
    }
    if (state !== undefined && !NODE_STATES.includes(state as NodeState)) {
      problems.push(`${at}.state: must be one of ${NODE_STATES.join(', ')}`);
    }
    if (problems.length === before) nodes.push(pickNode(item));
  });
  if (value.length === 0) {
    problems.push('nodes: must list at least one node');
  } else if (nodes.length === value.length && !nodes.some((node) => ownsShards(node.state))) {
    problems.push('nodes: at least one node must be active or joining');
  }
  return nodes;
}

function validateOverrides(
  value: unknown,
  states: ReadonlyMap<string, NodeState>,
  maxShard: number,
  problems: string[],
): Map<number, string> {
  const overrides = new Map<number, string>();
  if (value === undefined) return overrides;
  if (!isObject(value)) {
    problems.push('overrides: must be an object of "shard": "node id"');
    return overrides;
  }
  for (const [key, node] of Object.entries(value)) {
    const at = `overrides[${JSON.stringify(key)}]`;
    const shard = SHARD_KEY.test(key) ? Number(key) : NaN;
    if (!(shard <= maxShard)) problems.push(`${at}: shard must be an integer in [0, ${maxShard}]`);
    if (typeof node !== 'string') {
      problems.push(`${at}: must be a node id`);
      continue;
    }
    const state = states.get(node);
    if (state === undefined) problems.push(`${at}: unknown node "${node}"`);
    else if (!ownsShards(state)) problems.push(`${at}: node "${node}" is ${state}`);
    overrides.set(shard, node);
  }
  return overrides;
}

function validateMigrations(
  value: unknown,
  states: ReadonlyMap<string, NodeState>,
  maxShard: number,
  epoch: number | undefined,
  problems: string[],
): ShardMigration[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push('migrations: must be an array');
    return [];
  }
  const migrations: ShardMigration[] = [];
  const seen = new Set<string>();
  value.forEach((item: unknown, i) => {
    const at = `migrations[${i}]`;
    if (!isObject(item)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    const before = problems.length;
    checkFields(item, MIGRATION_FIELDS, `${at}.`, problems);
    integer(item.shard, `${at}.shard`, 0, maxShard, problems);
    integer(item.startedEpoch, `${at}.startedEpoch`, 0, epoch ?? Number.MAX_SAFE_INTEGER, problems);
    for (const field of ['from', 'to'] as const) {
      if (item[field] === undefined) continue;
      if (typeof item[field] !== 'string') problems.push(`${at}.${field}: must be a node id`);
      else if (!states.has(item[field]))
        problems.push(`${at}.${field}: unknown node "${item[field]}"`);
    }
    if (item.from !== undefined && item.from === item.to)
      problems.push(`${at}: from and to must differ`);
    const key = `${String(item.shard)}/${String(item.from)}`;
    if (seen.has(key))
      problems.push(
        `${at}: shard ${String(item.shard)} already has a migration from "${String(item.from)}"`,
      );
    seen.add(key);
    if (problems.length === before) {
      const { shard, from, to, startedEpoch } = item as unknown as ShardMigration;
      migrations.push({ shard, from, to, startedEpoch });
    }
  });
  return migrations;
}

function pickNode(item: Json): RingNode {
  const { id, address, grpcAddress, adminAddress, weight, state } = item as unknown as RingNode;
  return { id, address, grpcAddress, adminAddress, weight, state };
}

function checkFields(item: Json, known: readonly string[], at: string, problems: string[]): void {
  for (const field of known) {
    if (!(field in item)) problems.push(`${at}${field}: is required`);
  }
  for (const field of Object.keys(item)) {
    if (!known.includes(field)) problems.push(`${at}${field}: unknown field`);
  }
}

/** The value if it is an integer in [min, max]; undefined (reported only if present) if not. */
function integer(
  value: unknown,
  at: string,
  min: number,
  max: number,
  problems: string[],
): number | undefined {
  if (value === undefined) return undefined;
  if (Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max) {
    return value as number;
  }
  problems.push(`${at}: must be an integer in [${min}, ${max}]`);
  return undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
