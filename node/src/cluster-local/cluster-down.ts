import { readClusterState, removeClusterState } from './cluster-files.ts';
import type { ClusterContext } from './context.ts';
import { fail, succeed } from './outcome.ts';
import type { Outcome } from './outcome.ts';
import { stopProcesses } from './processes.ts';
import type { StopOutcome } from './processes.ts';

/**
 * `mlcache cluster down`: SIGTERM to every recorded process (the gateway first, so that clients
 * stop before their nodes do), SIGKILL to those still running after `graceMs`, then the state
 * file is removed. Data directories and logs stay. It takes no lock: it must work even while a
 * stuck command holds one.
 */
export async function clusterDown(
  context: ClusterContext,
  graceMs = 10_000,
): Promise<Outcome<StopOutcome[]>> {
  const { layout } = context;
  const state = await readClusterState(layout);
  if (state.kind === 'missing') return fail('no-cluster', `no cluster in ${layout.dir}`);
  if (state.kind === 'invalid') return fail('invalid', state.problems.join('\n'));
  const { gateway, nodes } = state.value;
  const outcomes: StopOutcome[] = [];
  if (gateway !== null)
    outcomes.push(...(await stopProcesses([gateway.pid], graceMs, context.sleep)));
  outcomes.push(
    ...(await stopProcesses(
      nodes.map((node) => node.pid),
      graceMs,
      context.sleep,
    )),
  );
  const names = new Map<number, string>([
    ...(gateway !== null ? [[gateway.pid, 'gateway'] as const] : []),
    ...nodes.map((node) => [node.pid, node.id] as const),
  ]);
  for (const outcome of outcomes) {
    context.report(`${names.get(outcome.pid)}: ${outcome.how} (pid ${outcome.pid})`);
  }
  const survivors = outcomes.filter((outcome) => outcome.how === 'survived');
  if (survivors.length > 0) {
    return fail(
      'timeout',
      `pids ${survivors.map((o) => o.pid).join(', ')} survived SIGKILL; the state file stays`,
    );
  }
  await removeClusterState(layout);
  context.report(`cluster down; data and logs kept in ${layout.dir}`);
  return succeed(outcomes);
}
