import { parseBytes } from '../../util/bytes.ts';
import { ArgReader, parseArgs } from '../cli-args.ts';
import type { FlagSpec } from '../cli-args.ts';

/** The settings of `mlcache demo`, read from its flags (pure). */
export interface DemoOptions {
  readonly requests: number;
  readonly durationMs: number;
  readonly maxmemory: string;
  readonly seed: number;
  /** Exit after the table instead of serving until Ctrl-C. */
  readonly noWait: boolean;
  /** How the ML nodes score: through the scorer service (grpc) or in the node (local). */
  readonly scorer: 'grpc' | 'local';
  /**
   * With the scorer service: the ML nodes evaluate its published models in process (local, the
   * node's default) or ask it to score each batch (remote).
   */
  readonly scorerRank: 'local' | 'remote';
  /**
   * The scorer service's `--retrain-every`: new rows between trainings. The demo's default
   * suits a replay of seconds; the service's own (65,536) suits hours of traffic.
   */
  readonly retrainEvery: number;
  readonly policies: readonly string[];
  /** The gateway's RESP and admin ports. 0: any free one. */
  readonly port: number;
  readonly adminPort: number;
  /** First RESP port of the nodes (then +1, +2, ...), and first admin port. 0: any. */
  readonly nodePort: number;
  readonly nodeAdminPort: number;
  /** The scorer's gRPC and admin ports. */
  readonly scorerPort: number;
  readonly scorerAdminPort: number;
  readonly connections: number;
  /** Where logs go; null: a new temporary directory. */
  readonly dir: string | null;
}

export const DEMO_DEFAULTS = {
  requests: 200_000,
  durationMs: 120_000,
  maxmemory: '8mb',
  seed: 42,
  retrainEvery: 2048,
  policies: ['lru', 'lfu', 'ml-lru', 'ml-lfu'],
  port: 6379,
  adminPort: 9380,
  nodePort: 6380,
  nodeAdminPort: 9381,
  scorerPort: 7390,
  scorerAdminPort: 9390,
  connections: 4,
} as const;

export const DEMO_FLAGS: readonly FlagSpec[] = [
  {
    name: 'requests',
    valueName: 'N',
    doc: 'Requests to replay (each GET key, then SET key value NX)',
    defaultText: '200000',
  },
  {
    name: 'duration',
    valueName: 'DURATION',
    doc: 'Stop the replay earlier after this long (90s, 2m)',
    defaultText: '120s',
  },
  {
    name: 'maxmemory',
    valueName: 'SIZE',
    doc: 'The byte budget of every node (the same for all)',
    defaultText: DEMO_DEFAULTS.maxmemory,
  },
  { name: 'seed', valueName: 'N', doc: 'Seed of the workload', defaultText: '42' },
  { name: 'no-wait', switch: true, doc: 'Stop everything and exit after the table (tests, CI)' },
  {
    name: 'scorer',
    valueName: 'grpc|local',
    doc: 'ML nodes score through the scorer service, or in the node itself',
    defaultText: 'grpc',
  },
  {
    name: 'scorer-rank',
    valueName: 'local|remote',
    doc: "With the scorer service: ML nodes score with its published model, or ask it (node's --scorer-rank)",
    defaultText: 'local',
  },
  {
    name: 'retrain-every',
    valueName: 'N',
    doc: "The scorer's new rows between trainings (the service's own default: 65536)",
    defaultText: String(DEMO_DEFAULTS.retrainEvery),
  },
  {
    name: 'policies',
    valueName: 'LIST',
    doc: 'The policies compared; the first is the primary pool',
    defaultText: DEMO_DEFAULTS.policies.join(','),
  },
  { name: 'port', valueName: 'P', doc: "The gateway's RESP port (0: any)", defaultText: '6379' },
  { name: 'admin-port', valueName: 'P', doc: "The gateway's admin port", defaultText: '9380' },
  {
    name: 'node-port',
    valueName: 'P',
    doc: "The first node's RESP port; the others follow",
    defaultText: '6380',
  },
  {
    name: 'node-admin-port',
    valueName: 'P',
    doc: "The first node's admin port; the others follow",
    defaultText: '9381',
  },
  { name: 'scorer-port', valueName: 'P', doc: "The scorer's gRPC port", defaultText: '7390' },
  {
    name: 'scorer-admin-port',
    valueName: 'P',
    doc: "The scorer's admin port",
    defaultText: '9390',
  },
  {
    name: 'connections',
    valueName: 'N',
    doc: 'Pipelined client connections of the replay',
    defaultText: '4',
  },
  {
    name: 'dir',
    valueName: 'DIR',
    doc: 'Where the processes log (default: a new temporary directory)',
  },
];

export type DemoArgs =
  | { readonly kind: 'help' }
  | { readonly kind: 'invalid'; readonly problems: readonly string[] }
  | { readonly kind: 'options'; readonly options: DemoOptions };

export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const parsed = parseArgs(argv, DEMO_FLAGS);
  if (parsed.help) return { kind: 'help' };
  const args = new ArgReader(parsed);
  args.positionals([]);
  const port = (name: string, fallback: number): number => args.integer(name, fallback, 0, 65535);
  const policies = args
    .string('policies', DEMO_DEFAULTS.policies.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (policies.length === 0 || new Set(policies).size !== policies.length) {
    args.problems.push('--policies: a list of distinct policy names');
  }
  const maxmemory = args.string('maxmemory', DEMO_DEFAULTS.maxmemory);
  const budget = parseBytes(maxmemory);
  if (budget === undefined || budget === 0) {
    args.problems.push(`--maxmemory: expected a size such as 8mb, got '${maxmemory}'`);
  }
  const options: DemoOptions = {
    requests: args.integer('requests', DEMO_DEFAULTS.requests, 1, 1e9),
    durationMs: args.duration('duration', DEMO_DEFAULTS.durationMs),
    maxmemory,
    seed: args.integer('seed', DEMO_DEFAULTS.seed, 0, 2 ** 32 - 1),
    noWait: args.has('no-wait'),
    scorer: args.oneOf('scorer', 'grpc', ['grpc', 'local'] as const),
    scorerRank: args.oneOf('scorer-rank', 'local', ['local', 'remote'] as const),
    retrainEvery: args.integer('retrain-every', DEMO_DEFAULTS.retrainEvery, 1, 1 << 30),
    policies,
    port: port('port', DEMO_DEFAULTS.port),
    adminPort: port('admin-port', DEMO_DEFAULTS.adminPort),
    nodePort: port('node-port', DEMO_DEFAULTS.nodePort),
    nodeAdminPort: port('node-admin-port', DEMO_DEFAULTS.nodeAdminPort),
    scorerPort: port('scorer-port', DEMO_DEFAULTS.scorerPort),
    scorerAdminPort: port('scorer-admin-port', DEMO_DEFAULTS.scorerAdminPort),
    connections: args.integer('connections', DEMO_DEFAULTS.connections, 1, 64),
    dir: args.optionalString('dir'),
  };
  if (args.problems.length > 0) return { kind: 'invalid', problems: args.problems };
  return { kind: 'options', options };
}

export function demoHelp(): string {
  const left = DEMO_FLAGS.map(
    (s) => `--${s.name}${s.switch === true ? '' : ` ${s.valueName ?? 'VALUE'}`}`,
  );
  const width = Math.max(...left.map((l) => l.length));
  return [
    'Usage: mlcache demo [options]',
    '',
    'The whole system in miniature on this machine: a scorer, one node per policy (the same',
    'budget each), and a gateway that sends every request to the first policy and mirrors it,',
    'in the same order, to the others. Replays a seeded workload through the gateway, prints hit',
    'ratio, p50/p99 latency and evictions per policy, then serves clients until Ctrl-C.',
    '',
    'Options:',
    ...DEMO_FLAGS.map((s, i) => {
      const fallback = s.defaultText !== undefined ? ` (default ${s.defaultText})` : '';
      return `  ${left[i]!.padEnd(width)}  ${s.doc}${fallback}`;
    }),
    '',
    'A busy default port is replaced by a free one (and said so). Exit status: 0 done, 1 a',
    'process failed or died, 2 bad usage, 130 interrupted before the table.',
  ].join('\n');
}
