/**
 * `mlcache scorer`'s options as one table (the node's config/schema.ts pattern, with its value
 * parsers): flag, environment variable, default, documentation and parser, so that --help cannot
 * drift from what the loader accepts. Each option is `--flag value`, `--flag=value` or
 * `MLCACHE_SCORER_<FLAG>` (upper case, dashes as underscores); the flag wins. Pure: the
 * composition root passes argv and the environment in. Every problem is reported at once.
 */
import { formatOptionRows } from '../../../node/src/config/help.ts';
import type { LoadOutcome } from '../../../node/src/platform/lifecycle.ts';
import { optionRows, readOptionTable } from '../../../node/src/platform/option-table.ts';
import type { OptionRow } from '../../../node/src/platform/option-table.ts';
import { integer, oneOf, port, text, word } from '../../../node/src/config/parsers.ts';
import { LOG_LEVELS } from '../../../node/src/util/logger.ts';
import type { LogLevel } from '../../../node/src/util/logger.ts';

export interface ScorerConfig {
  readonly bind: string;
  readonly port: number;
  readonly adminPort: number;
  /** The ONNX model to serve from the start (re-read on SIGHUP), or null. */
  readonly model: string | null;
  readonly retrainEvery: number;
  readonly windowRows: number;
  readonly seed: number;
  readonly logLevel: LogLevel;
}

/** The default ports (the node's are 6379/7379/9379). */
export const SCORER_DEFAULT_PORTS = { grpc: 7390, admin: 9390 } as const;

type Values = {
  bind: string;
  port: number;
  adminPort: number;
  model: string;
  retrainEvery: number;
  windowRows: number;
  seed: number;
  logLevel: LogLevel;
};
type Key = keyof Values;

type Spec<K extends Key = Key> = OptionRow<K, Values[K]>;
type AnySpec = { [K in Key]: Spec<K> }[Key];

const option = optionRows<Values>('scorer');

export const SCORER_OPTIONS: readonly AnySpec[] = [
  option('bind', 'bind', {
    valueName: 'ADDRESS',
    defaultText: '127.0.0.1',
    doc: 'Address both ports listen on (0.0.0.0 in a pod).',
    parse: word,
  }),
  option('port', 'port', {
    valueName: 'PORT',
    defaultText: String(SCORER_DEFAULT_PORTS.grpc),
    doc: 'gRPC port of mlcache.v1.Scorer (node/proto/scorer.proto); 0 picks a free port.',
    parse: port,
  }),
  option('adminPort', 'admin-port', {
    valueName: 'PORT',
    defaultText: String(SCORER_DEFAULT_PORTS.admin),
    doc: 'HTTP port of /metrics, /healthz, /readyz, /v1/status and PUT /v1/model; 0 picks one.',
    parse: port,
  }),
  option('model', 'model', {
    valueName: 'PATH',
    defaultText: '',
    doc:
      'An ONNX model (e.g. from mlcache train) to serve from the start, as version 1; SIGHUP ' +
      're-reads it. A model that cannot be used stops the start with exit status 2.',
    parse: text,
  }),
  option('retrainEvery', 'retrain-every', {
    valueName: 'ROWS',
    defaultText: '65536',
    doc: 'Labelled rows received between two trainings (the first comes after 1024 rows).',
    parse: integer(1, 1e12),
  }),
  option('windowRows', 'window-rows', {
    valueName: 'ROWS',
    defaultText: '65536',
    doc: 'Newest labelled rows kept for training (every 8th row received is held out instead).',
    parse: integer(256, 1 << 24),
  }),
  option('seed', 'seed', {
    valueName: 'N',
    defaultText: '1',
    doc: 'Seed of the trainer and the gate, so that a run can be reproduced.',
    parse: integer(0, 2 ** 31 - 1),
  }),
  option('logLevel', 'log-level', {
    valueName: 'LEVEL',
    defaultText: 'info',
    doc: `Least severe log level written to stderr: ${LOG_LEVELS.join(', ')}.`,
    parse: oneOf(LOG_LEVELS),
  }),
];

export type ScorerLoadResult = LoadOutcome<ScorerConfig>;

/** Builds the configuration from flags and environment (flags win over MLCACHE_SCORER_*). */
export function loadScorerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ScorerLoadResult {
  const read = readOptionTable(SCORER_OPTIONS, argv, env);
  if (read.kind === 'help') return read;
  const { values, problems } = read;
  if (problems.length > 0) return { kind: 'invalid', problems };
  const v = values as Values;
  return {
    kind: 'config',
    config: {
      bind: v.bind,
      port: v.port,
      adminPort: v.adminPort,
      model: v.model === '' ? null : v.model,
      retrainEvery: v.retrainEvery,
      windowRows: v.windowRows,
      seed: v.seed,
      logLevel: v.logLevel,
    },
  };
}

/** The text of `mlcache scorer --help`, built from the option table. */
export function scorerHelpText(): string {
  // Each documentation on one line, however long.
  const rows = formatOptionRows(
    SCORER_OPTIONS.map((spec) => ({ ...spec, flags: [spec.flag] })),
    Infinity,
  );
  return [
    'Usage: mlcache scorer [options]',
    '',
    'Runs the scorer service: scores eviction candidates for nodes started with',
    '--scorer grpc://host:port, collects their labelled samples, retrains in a worker thread,',
    'and publishes models that pass the gate (docs/scorer.md).',
    '',
    'Options (environment variable, default):',
    ...rows,
    '',
    'On start the scorer prints one JSON line on stdout with the actual ports:',
    '  {"event":"listening","bind":"...","grpc":7390,"admin":9390,"pid":...}',
    'Logs go to stderr, one JSON object per line. SIGHUP re-reads --model; SIGINT/SIGTERM stop.',
  ].join('\n');
}
