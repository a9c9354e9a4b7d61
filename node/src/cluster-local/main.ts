/**
 * The composition root of `mlcache cluster`: a local cluster of detached nodes and a gateway,
 * driven through their admin ports (see docs/local-cluster.md). It builds the clock and the
 * context, prints progress lines and results on stdout and failures on stderr, and maps outcomes to exit
 * statuses: 0 done, 1 failed (timeouts, refusals, processes that would not start), 2 bad usage.
 */
import { resolve } from 'node:path';
import { createSystemClock } from '../util/clock.ts';
import { ArgReader, actionHelp, parseArgs } from './cli-args.ts';
import { CLUSTER_ACTIONS, DEFAULT_DIR } from './cli-actions.ts';
import { createClusterContext } from './context.ts';

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const action = Object.hasOwn(CLUSTER_ACTIONS, name) ? CLUSTER_ACTIONS[name] : undefined;
  if (action === undefined) {
    process.stderr.write(`mlcache cluster: unknown action '${name}'\n\n${usage()}\n`);
    return 2;
  }
  const parsed = parseArgs(rest, action.flags);
  if (parsed.help) {
    process.stdout.write(`${actionHelp(action.usage, action.summary, action.flags)}\n`);
    return 0;
  }
  const args = new ArgReader(parsed);
  const dir = resolve(args.string('dir', DEFAULT_DIR));
  const work = action.prepare(args);
  if (args.problems.length > 0) {
    process.stderr.write(
      [`mlcache cluster ${name}:`, ...args.problems.map((p) => `  ${p}`)].join('\n') + '\n',
    );
    return 2;
  }
  const clock = createSystemClock();
  const outcome = await work({
    context: (timeoutMs) =>
      createClusterContext({
        dir,
        clock,
        timeoutMs,
        report: (line) => process.stdout.write(`${line}\n`),
      }),
    print: (text) => process.stdout.write(`${text}\n`),
  });
  if (outcome.ok) return 0;
  process.stderr.write(
    `mlcache cluster ${name}: ${outcome.failure.code}: ${outcome.failure.message}\n`,
  );
  return 1;
}

function usage(): string {
  const names = Object.keys(CLUSTER_ACTIONS);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'Usage: mlcache cluster <action> [options]',
    '',
    'A local cluster: nodes and a gateway on this machine, in one directory.',
    '',
    'Actions:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${CLUSTER_ACTIONS[n]!.summary}`),
    '',
    "Run 'mlcache cluster <action> --help' for an action's options.",
  ].join('\n');
}
