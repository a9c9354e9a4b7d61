import type { Ring } from '../cluster/ring.ts';
import { formatBytesHuman } from '../util/bytes.ts';
import { serializeRingDocument } from '../cluster/ring-document.ts';
import { describeHttpError } from './admin-client.ts';
import { writeRingFile } from './cluster-files.ts';
import type { ClusterState } from './cluster-state.ts';
import type { ClusterContext } from './context.ts';
import { deadlineIn } from './context.ts';
import { nextStep } from './convergence.ts';
import type { ConvergenceStep, MemberView } from './convergence.ts';
import { copyProgress, parseNodeCopies } from './copy-reports.ts';
import type { CopyProgress, NodeCopies } from './copy-reports.ts';
import type { Member } from './members.ts';
import { membersOf } from './members.ts';
import { fail, succeed } from './outcome.ts';
import type { Outcome } from './outcome.ts';
import { settledRing } from './ring-plans.ts';

/**
 * Rolling a ring out to a running cluster (the adapter around convergence.ts): publish it (the
 * ring file, replaced atomically as a ConfigMap update would, and a PUT to every member so that
 * nobody waits for a file watch), wait until every member runs it, wait for the copies, publish
 * the settled ring, wait for that, and return it. Lagging members get the ring PUT again now and
 * then: a process that was busy starting may have missed the first one.
 */

/** Re-send the ring to a member still lagging after this long. */
const RESEND_MS = 2000;
/** Repeat an unchanged progress line at most this often. */
const QUIET_MS = 5000;

export async function rollOut(
  context: ClusterContext,
  state: ClusterState,
  ring: Ring,
): Promise<Outcome<Ring>> {
  const expired = deadlineIn(context, context.timeoutMs);
  const progress = progressLine(context);
  let current = ring;
  let published = await publish(context, state, current);
  if (!published.ok) return published;
  let sentAt = context.clock.monotonic();
  let step: ConvergenceStep | undefined;
  for (;;) {
    const members = membersOf(state, current);
    const views = await observeEpochs(context, members);
    const copies =
      views.every((view) => view.epoch === current.epoch) && current.migrations.length > 0
        ? await observeCopies(context, state, current)
        : { finished: new Set<string>(), keys: 0, bytes: 0 };
    step = nextStep({ ring: current, members: views, finished: copies.finished });
    switch (step.kind) {
      case 'overtaken':
        return fail(
          'refused',
          `epoch ${current.epoch}: ${describeViews(step.members)} already run a newer ring; another command changed this cluster`,
        );
      case 'converged':
        progress.flush();
        return succeed(current);
      case 'settle': {
        const settled = settledRing(current);
        if (!settled.ok) return fail('invalid', settled.error);
        progress.flush();
        context.report(`epoch ${current.epoch}: copies done; publishing the settled ring`);
        current = settled.value;
        published = await publish(context, state, current);
        if (!published.ok) return published;
        sentAt = context.clock.monotonic();
        continue;
      }
      case 'wait-epoch': {
        progress.show(
          `epoch ${current.epoch}: waiting for ${describeViews(step.lagging)}`,
          'wait-epoch',
        );
        if (context.clock.monotonic() - sentAt > RESEND_MS) {
          const lagging = new Set(step.lagging.map((view) => view.id));
          await putRing(
            context,
            members.filter((member) => lagging.has(member.id)),
            current,
          );
          sentAt = context.clock.monotonic();
        }
        break;
      }
      case 'wait-copies':
        progress.show(
          `epoch ${current.epoch}: copies ${step.done}/${step.total} done (${copies.keys} keys, ${formatBytesHuman(copies.bytes)})`,
          'wait-copies',
        );
        break;
    }
    if (expired()) {
      progress.flush();
      return fail(
        'timeout',
        `gave up after ${context.timeoutMs} ms at epoch ${current.epoch}: ${describeStep(step)}; see the logs under ${context.layout.dir}`,
      );
    }
    await context.sleep(context.pollMs);
  }
}

/** Writes the ring file and PUTs the ring to every member. */
export async function publish(
  context: ClusterContext,
  state: ClusterState,
  ring: Ring,
): Promise<Outcome<void>> {
  await writeRingFile(context.layout, ring);
  const moving = ring.migrations.length;
  const states = ring.nodes
    .filter((node) => node.state !== 'active')
    .map((node) => `${node.id} ${node.state}`);
  context.report(
    `epoch ${ring.epoch}: published (${ring.nodes.length} nodes${states.length > 0 ? `: ${states.join(', ')}` : ''}; ${moving} copies pending)`,
  );
  return putRing(context, membersOf(state, ring), ring);
}

async function putRing(
  context: ClusterContext,
  members: readonly Member[],
  ring: Ring,
): Promise<Outcome<void>> {
  const text = serializeRingDocument(ring);
  const answers = await Promise.all(
    members.map(async (member) => ({
      member,
      result: await context.client.put(member.admin, '/v1/ring', text),
    })),
  );
  for (const { member, result } of answers) {
    if (result.ok && result.status === 200) continue;
    // Refusals that cannot heal by waiting: an invalid document or a conflicting ring.
    if (result.ok && (result.status === 400 || result.status === 409)) {
      return fail(
        'refused',
        `${member.id} refused epoch ${ring.epoch}: ${describeHttpError(result)}`,
      );
    }
    // Down, starting or busy: it reads the ring file too, and lagging members get it again.
    context.report(`  ${member.id}: ring not delivered yet (${describeHttpError(result)})`);
  }
  return succeed(undefined);
}

async function observeEpochs(
  context: ClusterContext,
  members: readonly Member[],
): Promise<MemberView[]> {
  return Promise.all(
    members.map(async (member): Promise<MemberView> => {
      const result = await context.client.get(member.admin, '/v1/ring');
      const epoch = (result.ok ? (result.body as { epoch?: unknown } | undefined) : undefined)
        ?.epoch;
      if (result.ok && result.status === 200 && typeof epoch === 'number') {
        return { id: member.id, epoch };
      }
      return { id: member.id, epoch: undefined, problem: describeHttpError(result) };
    }),
  );
}

async function observeCopies(
  context: ClusterContext,
  state: ClusterState,
  ring: Ring,
): Promise<CopyProgress> {
  const destinations = new Set(ring.migrations.map((m) => m.to));
  const host = state.settings.bind;
  const reports: NodeCopies[] = [];
  await Promise.all(
    state.nodes
      .filter((node) => destinations.has(node.id))
      .map(async (node) => {
        const result = await context.client.get(`${host}:${node.admin}`, '/v1/migrations');
        const copies =
          result.ok && result.status === 200 ? parseNodeCopies(result.body) : undefined;
        if (copies !== undefined) reports.push(copies);
      }),
  );
  return copyProgress(ring, reports);
}

function describeViews(views: readonly MemberView[]): string {
  const shown = views
    .slice(0, 6)
    .map((view) =>
      view.epoch !== undefined
        ? `${view.id} (epoch ${view.epoch})`
        : `${view.id} (${view.problem ?? 'no ring'})`,
    );
  return views.length > shown.length
    ? `${shown.join(', ')} and ${views.length - shown.length} more`
    : shown.join(', ');
}

function describeStep(step: ConvergenceStep | undefined): string {
  switch (step?.kind) {
    case 'wait-epoch':
      return `still waiting for ${describeViews(step.lagging)} to apply it`;
    case 'wait-copies':
      return `${step.total - step.done} of ${step.total} shard copies not done`;
    default:
      return 'not converged';
  }
}

/** Progress lines without flooding: a line is shown when it changes kind, or every QUIET_MS. */
function progressLine(context: ClusterContext) {
  let last: { kind: string; text: string; at: number } | undefined;
  let pending: string | undefined;
  return {
    show(text: string, kind: string): void {
      const now = context.clock.monotonic();
      if (
        last === undefined ||
        last.kind !== kind ||
        (now - last.at >= QUIET_MS && last.text !== text)
      ) {
        context.report(text);
        last = { kind, text, at: now };
        pending = undefined;
      } else if (text !== last.text) {
        pending = text;
      }
    },
    /** Shows the latest line held back, so that the last state before a change is visible. */
    flush(): void {
      if (pending !== undefined) context.report(pending);
      pending = undefined;
      last = undefined;
    },
  };
}
