import { mkdir } from 'node:fs/promises';
import type { ClusterSettings, NodeRecord, ProcessRecord } from './cluster-state.ts';
import type { ClusterContext } from './context.ts';
import { deadlineIn } from './context.ts';
import type { Member } from './members.ts';
import { fail, succeed } from './outcome.ts';
import type { Outcome } from './outcome.ts';
import { spawnMember } from './spawn-member.ts';
import { describeHttpError } from './admin-client.ts';

/**
 * Starting the cluster's processes: the command lines of a node and of the gateway (every port
 * but the gateway's is picked by the OS, and read back from the `listening` line), and the wait
 * for `/readyz`.
 */

/** How long a process may take to print its `listening` line (a node reloads RocksDB first). */
const LISTEN_TIMEOUT_MS = 60_000;

export async function startNode(
  context: ClusterContext,
  settings: ClusterSettings,
  id: string,
): Promise<Outcome<NodeRecord>> {
  const { layout } = context;
  const dataDir = layout.nodeDataDir(id);
  await mkdir(dataDir, { recursive: true });
  const args = [
    ...['--node-id', id, '--node-name', id, '--ring', layout.ringFile],
    ...['--bind', settings.bind, '--port', '0', '--grpc-port', '0', '--admin-port', '0'],
    ...['--data-dir', dataDir, '--durability', settings.durability],
    ...['--log-level', settings.logLevel],
    ...(settings.policy !== null ? ['--policy', settings.policy] : []),
    ...(settings.maxmemory !== null ? ['--maxmemory', settings.maxmemory] : []),
  ];
  const log = layout.nodeLog(id);
  const started = await spawnMember({ command: 'node', args, log, timeoutMs: LISTEN_TIMEOUT_MS });
  if (!started.ok) return fail('start-failed', `${id}: ${started.error}`);
  const { pid, resp, admin, grpc } = started.listening;
  context.report(`${id}: started (pid ${pid}, resp ${resp}, grpc ${grpc}, admin ${admin})`);
  return succeed({
    id,
    pid,
    resp,
    admin,
    grpc: grpc ?? 0,
    dataDir,
    log,
    startedAt: new Date(context.clock.now()).toISOString(),
  });
}

export async function startGateway(
  context: ClusterContext,
  settings: ClusterSettings,
  port: number,
): Promise<Outcome<ProcessRecord>> {
  const { layout } = context;
  await mkdir(layout.gatewayDir, { recursive: true });
  const args = [
    ...['--ring', layout.ringFile, '--gateway-name', 'gateway'],
    ...['--bind', settings.bind, '--port', String(port), '--admin-port', '0'],
    ...['--log-level', settings.logLevel],
    ...(settings.nearCacheTtlMs !== null
      ? ['--near-cache-ttl', String(settings.nearCacheTtlMs)]
      : []),
    ...(settings.nearCacheInvalidation === true ? ['--near-cache-invalidation', 'on'] : []),
  ];
  const log = layout.gatewayLog;
  const started = await spawnMember({
    command: 'gateway',
    args,
    log,
    timeoutMs: LISTEN_TIMEOUT_MS,
  });
  if (!started.ok) return fail('start-failed', `gateway: ${started.error}`);
  const { pid, resp, admin } = started.listening;
  context.report(`gateway: started (pid ${pid}, resp ${resp}, admin ${admin})`);
  return succeed({
    pid,
    resp,
    admin,
    log,
    startedAt: new Date(context.clock.now()).toISOString(),
  });
}

/** Waits until every member answers `/readyz` with 200. */
export async function waitReady(
  context: ClusterContext,
  members: readonly Member[],
): Promise<Outcome<void>> {
  const expired = deadlineIn(context, context.timeoutMs);
  let waiting = [...members];
  let why = new Map<string, string>();
  while (waiting.length > 0) {
    const answers = await Promise.all(
      waiting.map(async (member) => ({
        member,
        result: await context.client.get(member.admin, '/readyz'),
      })),
    );
    why = new Map(
      answers
        .filter(({ result }) => !(result.ok && result.status === 200))
        .map(({ member, result }) => [member.id, describeHttpError(result)]),
    );
    waiting = waiting.filter((member) => why.has(member.id));
    if (waiting.length === 0) break;
    if (expired()) {
      const list = [...why].map(([id, reason]) => `${id} (${reason})`).join(', ');
      return fail('timeout', `not ready after ${context.timeoutMs} ms: ${list}`);
    }
    await context.sleep(context.pollMs);
  }
  return succeed(undefined);
}
