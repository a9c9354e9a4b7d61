/**
 * Helpers for the cluster integration tests (cluster-*.int.test.ts): real `mlcache node`
 * processes on 127.0.0.1 with port 0, rings written the way a ConfigMap volume updates them
 * (a new file renamed over the old one), keys chosen to land in given shards, and the admin API.
 */
import { renameSync, writeFileSync } from 'node:fs';

import { Redis } from 'ioredis';

import type { Ring, RingNode } from '../../src/cluster/ring.ts';
import { planOverrideChange } from '../../src/cluster/ring-change.ts';
import { createRing, serializeRingDocument } from '../../src/cluster/ring-document.ts';
import { ownerOf } from '../../src/cluster/ring-owners.ts';
import { shardOf } from '../../src/cluster/shard-of.ts';
import { LOCAL_NODE_ARGS, startNode } from './start-node.ts';
import type { RunningNode } from './start-node.ts';
import type { Cleanups } from './support/cleanups.ts';

export const SHARDS = 4096;

export { Cleanups, cleanupsAfterEach, tempDir } from './support/cleanups.ts';

export interface ClusterNodeOptions {
  readonly id: string;
  readonly ringFile: string;
  readonly dataDir?: string;
  readonly migrationRate?: string;
  readonly extra?: readonly string[];
}

export async function startClusterNode(
  cleanups: Cleanups,
  options: ClusterNodeOptions,
): Promise<RunningNode> {
  const args = [
    ...LOCAL_NODE_ARGS,
    '--node-name',
    options.id,
    '--ring',
    options.ringFile,
    '--migration-rate',
    options.migrationRate ?? '0',
    ...(options.dataDir === undefined
      ? []
      : ['--data-dir', options.dataDir, '--durability', 'sync']),
    ...(options.extra ?? []),
  ];
  const node = await startNode(args);
  cleanups.add(() => node.stop());
  return node;
}

/** SIGKILLs `node` (no clean shutdown) and waits until it has exited. */
export async function killNode(node: RunningNode): Promise<void> {
  node.child.kill('SIGKILL');
  await node.stop();
}

/** The ring entry of a running node (its real ports). */
export function ringNodeOf(id: string, node: RunningNode | undefined): RingNode {
  const port = (p: number | undefined): number => p ?? 1;
  return {
    id,
    address: `127.0.0.1:${port(node?.listening.resp)}`,
    grpcAddress: `127.0.0.1:${port(node?.listening.grpc)}`,
    adminAddress: `127.0.0.1:${port(node?.listening.admin)}`,
    weight: 1,
    state: 'active',
  };
}

export function buildRing(fields: Parameters<typeof createRing>[0]): Ring {
  const result = createRing(fields);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.ring;
}

/** Writes a ring file as a ConfigMap volume does: a complete new file renamed into place. */
export function writeRingFile(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

export function writeRing(path: string, ring: Ring): void {
  writeRingFile(path, serializeRingDocument(ring));
}

/** Writes `ring` to `ringFile` and waits until every node in `nodes` has applied it. */
export async function applyRing(
  ringFile: string,
  ring: Ring,
  nodes: readonly RunningNode[],
): Promise<void> {
  writeRing(ringFile, ring);
  await waitUntil(`ring ${ring.epoch} applied`, async () => {
    for (const node of nodes) if ((await ringEpoch(node)) !== ring.epoch) return false;
    return true;
  });
}

/** The shards that `ring` gives to node `id`, in order. */
export function shardsOf(ring: Ring, id: string): number[] {
  return [...Array(SHARDS).keys()].filter((s) => ownerOf(ring, s) === id);
}

/** The next ring after `ring`, with `shards` overridden to node `to`; throws if that is refused. */
export function withShardsMoved(ring: Ring, shards: readonly number[], to: string): Ring {
  const change = planOverrideChange(ring, { set: new Map(shards.map((s) => [s, to])) });
  if (!change.ok) throw new Error(change.problems.join('\n'));
  return change.change.ring;
}

/** A hash tag whose keys all land in `shard`. */
export function tagOf(shard: number): string {
  for (let i = 0; ; i++) if (shardOf(`t${i}`, SHARDS) === shard) return `t${i}`;
}

/** `n` keys of `shard`: `{tag}:prefix:i`. */
export function keysOf(shard: number, n: number, prefix = 'k'): string[] {
  const tag = tagOf(shard);
  return Array.from({ length: n }, (_, i) => `{${tag}}:${prefix}:${i}`);
}

export function redis(cleanups: Cleanups, node: RunningNode): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port: node.listening.resp,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  client.on('error', () => {});
  cleanups.add(() => client.disconnect());
  return client;
}

export async function adminGet(
  node: RunningNode,
  path: string,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${node.listening.admin}${path}`);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // metrics are text
  }
  return { status: response.status, body };
}

export async function putRing(
  node: RunningNode,
  text: string,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${node.listening.admin}/v1/ring`, {
    method: 'PUT',
    body: text,
  });
  return { status: response.status, body: await response.json() };
}

/** The node's ring epoch, or null. */
export async function ringEpoch(node: RunningNode): Promise<number | null> {
  const { status, body } = await adminGet(node, '/v1/ring');
  return status === 200 ? (body as { epoch: number }).epoch : null;
}

/** One sample of a metric from /metrics (the sum of the series matching `labels`). */
export async function metric(node: RunningNode, name: string, labels = ''): Promise<number> {
  const { body } = await adminGet(node, '/metrics');
  let total = 0;
  for (const line of String(body).split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels !== '' && !line.includes(labels)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface MigrationRow {
  readonly shard: number;
  readonly from: string;
  readonly to: string;
  readonly startedEpoch: number;
  readonly state: string;
  readonly keys: number;
  readonly bytes: number;
}

export async function migrationsOfNode(node: RunningNode): Promise<MigrationRow[]> {
  const { body } = await adminGet(node, '/v1/migrations');
  return (body as { migrations: MigrationRow[] }).migrations;
}
