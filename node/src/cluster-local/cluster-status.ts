import type { Ring } from '../cluster/ring.ts';
import { ownerTable } from '../cluster/ring-owners.ts';
import type { HttpResult } from './admin-client.ts';
import { describeHttpError } from './admin-client.ts';
import { readClusterState, readRingFile } from './cluster-files.ts';
import type { ProcessRecord } from './cluster-state.ts';
import type { ClusterContext } from './context.ts';
import { copyProgress, parseNodeCopies } from './copy-reports.ts';
import type { NodeCopies } from './copy-reports.ts';
import { fail, succeed } from './outcome.ts';
import type { Outcome } from './outcome.ts';
import { isAlive } from './processes.ts';

/**
 * `mlcache cluster status`: what runs, from the state file, the ring file and each process's
 * admin port. Unreachable processes are shown as such; status never changes anything.
 */

export interface ProcessStatus {
  readonly pid: number;
  readonly alive: boolean;
  readonly resp: number;
  readonly admin: number;
  /** The epoch of the ring the process runs, or null when it could not say. */
  readonly epoch: number | null;
  readonly ready: boolean;
  /** Why something is missing (unreachable, not ready). */
  readonly problem: string | null;
}

export interface NodeStatus extends ProcessStatus {
  readonly id: string;
  readonly grpc: number;
  /** Its state in the ring, or `absent` when the ring does not list it. */
  readonly ringState: string;
  /** Shards it owns in the ring file's ring. */
  readonly shards: number;
  readonly items: number | null;
}

export interface ClusterStatus {
  readonly dir: string;
  readonly ring: {
    readonly epoch: number;
    readonly shardCount: number;
    readonly overrides: number;
    /** Copies the ring still lists. */
    readonly copiesPending: number;
    /** Of those, finished according to their destinations (published at the next settle). */
    readonly copiesDone: number;
  } | null;
  readonly nodes: readonly NodeStatus[];
  readonly gateway: ProcessStatus | null;
}

export async function clusterStatus(context: ClusterContext): Promise<Outcome<ClusterStatus>> {
  const { layout } = context;
  const state = await readClusterState(layout);
  if (state.kind === 'missing') return fail('no-cluster', `no cluster in ${layout.dir}`);
  if (state.kind === 'invalid') return fail('invalid', state.problems.join('\n'));
  const ringFile = await readRingFile(layout);
  const ring = ringFile.kind === 'found' ? ringFile.value : undefined;
  const host = state.value.settings.bind;
  const shardsOf = ring === undefined ? new Map<string, number>() : shardCounts(ring);

  const nodes = await Promise.all(
    state.value.nodes.map(async (node): Promise<NodeStatus & { copies?: NodeCopies }> => {
      const base = await probe(context, host, node);
      const [stats, migrations] = base.alive
        ? await Promise.all([
            context.client.get(`${host}:${node.admin}`, '/v1/stats'),
            context.client.get(`${host}:${node.admin}`, '/v1/migrations'),
          ])
        : [undefined, undefined];
      const items = (okBody(stats) as { items?: unknown } | undefined)?.items;
      const copies = parseNodeCopies(okBody(migrations));
      return {
        ...base,
        id: node.id,
        grpc: node.grpc,
        ringState: ring?.nodes.find((n) => n.id === node.id)?.state ?? 'absent',
        shards: shardsOf.get(node.id) ?? 0,
        items: typeof items === 'number' ? items : null,
        ...(copies !== undefined ? { copies } : {}),
      };
    }),
  );
  const gateway =
    state.value.gateway === null ? null : await probe(context, host, state.value.gateway);
  const reports = nodes.flatMap((node) => (node.copies !== undefined ? [node.copies] : []));
  return succeed({
    dir: layout.dir,
    ring:
      ring === undefined
        ? null
        : {
            epoch: ring.epoch,
            shardCount: ring.shardCount,
            overrides: ring.overrides.size,
            copiesPending: ring.migrations.length,
            copiesDone: copyProgress(ring, reports).finished.size,
          },
    nodes: nodes.map(({ copies: _copies, ...node }) => node),
    gateway,
  });
}

/** Liveness, ring epoch and readiness of one process. */
async function probe(
  context: ClusterContext,
  host: string,
  record: ProcessRecord,
): Promise<ProcessStatus> {
  const base = { pid: record.pid, resp: record.resp, admin: record.admin };
  if (!isAlive(record.pid)) {
    return { ...base, alive: false, epoch: null, ready: false, problem: 'not running' };
  }
  const address = `${host}:${record.admin}`;
  const [ring, ready] = await Promise.all([
    context.client.get(address, '/v1/ring'),
    context.client.get(address, '/readyz'),
  ]);
  const epoch = (okBody(ring) as { epoch?: unknown } | undefined)?.epoch;
  const isReady = ready.ok && ready.status === 200;
  return {
    ...base,
    alive: true,
    epoch: typeof epoch === 'number' ? epoch : null,
    ready: isReady,
    problem: isReady ? null : describeHttpError(ready),
  };
}

function okBody(result: HttpResult | undefined): unknown {
  return result?.ok === true && result.status === 200 ? result.body : undefined;
}

function shardCounts(ring: Ring): Map<string, number> {
  const table = ownerTable(ring);
  const counts = new Map<string, number>(ring.nodes.map((node) => [node.id, 0]));
  for (const index of table.owners) {
    const id = table.nodes[index]!.id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** The status as a table for people. */
export function formatStatus(status: ClusterStatus): string {
  const lines: string[] = [];
  const ring = status.ring;
  lines.push(
    ring === null
      ? `cluster ${status.dir}: no ring file`
      : `cluster ${status.dir}: ring epoch ${ring.epoch}, ${ring.shardCount} shards, ${ring.overrides} overrides, ${
          ring.copiesPending === 0
            ? 'no copies pending'
            : `${ring.copiesPending - ring.copiesDone} copies in flight (${ring.copiesDone}/${ring.copiesPending} done, not yet settled)`
        }`,
  );
  const rows = [
    ['NAME', 'PID', 'ALIVE', 'READY', 'STATE', 'EPOCH', 'RESP', 'GRPC', 'ADMIN', 'SHARDS', 'ITEMS'],
    ...status.nodes.map((n) => [
      n.id,
      String(n.pid),
      yes(n.alive),
      yes(n.ready),
      n.ringState,
      show(n.epoch),
      String(n.resp),
      String(n.grpc),
      String(n.admin),
      String(n.shards),
      show(n.items),
    ]),
  ];
  const gateway = status.gateway;
  if (gateway !== null) {
    rows.push([
      'gateway',
      String(gateway.pid),
      yes(gateway.alive),
      yes(gateway.ready),
      '-',
      show(gateway.epoch),
      String(gateway.resp),
      '-',
      String(gateway.admin),
      '-',
      '-',
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows)
    lines.push(
      row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    );
  const problems = [
    ...status.nodes.filter((n) => n.problem !== null).map((n) => `${n.id}: ${n.problem}`),
    ...(gateway?.problem ? [`gateway: ${gateway.problem}`] : []),
  ];
  if (problems.length > 0) lines.push('', ...problems);
  return lines.join('\n');
}

function yes(value: boolean): string {
  return value ? 'yes' : 'no';
}

function show(value: number | null): string {
  return value === null ? '-' : String(value);
}
