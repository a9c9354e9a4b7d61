import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { FEATURE_SCHEMA_VERSION } from '../../../node/src/policy/features.ts';
import type { TraceFormat } from '../data/trace-file.ts';
import { TRACE_FORMATS } from '../data/trace-file.ts';
import { exportOnnx } from '../export/onnx-export.ts';
import { ONLINE_GBDT_PARAMS } from '../learn/online-gbdt-params.ts';
import { trainFromTrace } from '../learn/train-from-trace.ts';
import { capacityFor, parseSizes } from '../sim/cache-sizes.ts';
import type { SourceSpec } from '../sim/trace-source.ts';
import { openSource, sourceName } from '../sim/trace-source.ts';
import { summarizeTrace } from '../sim/working-set.ts';
import { parseWorkloadSpec } from '../sim/workloads/workload-spec.ts';

/*
 * `mlcache train`: replays a trace with ML+LRU's online sampling and retraining (the policy a
 * node runs, with the simulator's synchronous trainer) and writes the last model it installed
 * as ONNX, with the feature schema version and how it was trained in the metadata.
 */

export const TRAIN_USAGE = `Usage: mlcache train (--trace PATH | --workload SPEC) --size SIZE --out FILE [options]

Replays a trace through ML+LRU (online sampling, labels from the past only, retraining as in
'mlcache sim') and writes the last model it installed as an ONNX TreeEnsembleRegressor.

  --trace PATH        a trace file (formats as in 'mlcache sim')
  --format FORMAT     auto (by extension, default) | ${TRACE_FORMATS.join(' | ')}
  --workload SPEC     a synthetic workload instead of a trace (see 'mlcache sim --help')
  --size SIZE         cache size: a fraction of the working set (0.05, 5%) or absolute
                      (5000 objects with --ignore-size, else bytes: 64MiB)
  --ignore-size       object budget: every object counts 1 (default: byte budget)
  --out FILE          where to write the model (.onnx)
  --seed N            seed of the policy and trainer (default 1)
  -h, --help          this text`;

/** What `mlcache train` talks to; injected so that tests can capture it. */
export interface TrainIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** The time the model is stamped with. */
  readonly now: () => Date;
}

/** Bad command-line input (exit 2). */
export class TrainUsageError extends Error {
  readonly code = 'TRAIN_E_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'TrainUsageError';
  }
}

export interface TrainArgs {
  readonly help: boolean;
  readonly source: SourceSpec;
  readonly size: string;
  readonly ignoreSize: boolean;
  readonly out: string;
  readonly seed: number;
}

/** `mlcache train`; resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  return runTrain(argv, { stdout: process.stdout, stderr: process.stderr, now: () => new Date() });
}

export async function runTrain(argv: readonly string[], io: TrainIo): Promise<number> {
  let args: TrainArgs;
  try {
    args = parseTrainArgs(argv);
  } catch (error) {
    io.stderr.write(`mlcache train: ${(error as Error).message}\n`);
    io.stderr.write("Run 'mlcache train --help' for the options.\n");
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${TRAIN_USAGE}\n`);
    return 0;
  }
  try {
    const [size] = parseSizes(args.size);
    const summary =
      size!.kind === 'fraction' ? await summarizeTrace(openSource(args.source)) : undefined;
    const capacity = capacityFor(size!, args.ignoreSize, summary);
    const trained = await trainFromTrace(openSource(args.source), {
      capacity,
      ignoreSize: args.ignoreSize,
      seed: args.seed,
    });
    const name = sourceName(args.source);
    if (trained.model === null) {
      io.stderr.write(
        `mlcache train: no model validated on ${name} (${trained.stats.labelsResolved} labels, ` +
          `${trained.stats.trainings} trainings); try a longer trace or a larger cache\n`,
      );
      return 1;
    }
    const bytes = exportOnnx(trained.model, {
      modelId: randomUUID(),
      trainedAt: io.now().toISOString(),
      trainingRows: trained.trainingRows,
      trainerParams: {
        ...ONLINE_GBDT_PARAMS,
        policy: 'ml-lru',
        source: name,
        capacity,
        ignoreSize: args.ignoreSize,
        seed: args.seed,
        requests: trained.result.requests,
        missRatio: trained.result.missRatio,
        modelVersion: trained.stats.modelVersion,
        trainings: trained.stats.trainings,
        validationPairAccuracy: trained.stats.lastValidationCurrent,
        featureSchemaVersion: FEATURE_SCHEMA_VERSION,
      },
    });
    await writeFile(args.out, bytes);
    io.stdout.write(
      `wrote ${args.out}: model ${trained.stats.modelVersion} of ${trained.stats.trainings} ` +
        `trainings, ${trained.trainingRows} rows, ${name} at ${capacity} ` +
        `${args.ignoreSize ? 'objects' : 'bytes'}, miss ratio ${trained.result.missRatio.toFixed(4)}\n`,
    );
    return 0;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    io.stderr.write(`mlcache train: ${(error as Error).message}\n`);
    return code === 'ENOENT' || code === 'TRACE_E_FORMAT' || code === 'SIM_E_WORKLOAD' ? 2 : 1;
  }
}

export function parseTrainArgs(argv: readonly string[]): TrainArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        trace: { type: 'string' },
        format: { type: 'string', default: 'auto' },
        workload: { type: 'string' },
        size: { type: 'string' },
        'ignore-size': { type: 'boolean', default: false },
        out: { type: 'string' },
        seed: { type: 'string', default: '1' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new TrainUsageError((error as Error).message);
  }
  const ignoreSize = values['ignore-size'];
  const placeholder: SourceSpec = { kind: 'workload', spec: '' };
  if (values.help) {
    return { help: true, source: placeholder, size: '', ignoreSize, out: '', seed: 1 };
  }
  if ((values.trace === undefined) === (values.workload === undefined)) {
    throw new TrainUsageError('give exactly one of --trace or --workload');
  }
  const format = values.format;
  if (format !== 'auto' && !(TRACE_FORMATS as readonly string[]).includes(format)) {
    throw new TrainUsageError(`--format ${format}: expected auto, ${TRACE_FORMATS.join(', ')}`);
  }
  let source: SourceSpec;
  if (values.trace !== undefined) {
    source = { kind: 'trace', path: values.trace, format: format as TraceFormat | 'auto' };
  } else {
    try {
      parseWorkloadSpec(values.workload!);
    } catch (error) {
      throw new TrainUsageError(`--workload: ${(error as Error).message}`);
    }
    source = { kind: 'workload', spec: values.workload! };
  }
  if (values.size === undefined) throw new TrainUsageError('--size is required');
  try {
    if (parseSizes(values.size).length !== 1) throw new RangeError('give one size');
  } catch (error) {
    throw new TrainUsageError(`--size: ${(error as Error).message}`);
  }
  if (values.out === undefined) throw new TrainUsageError('--out is required');
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new TrainUsageError(`--seed ${values.seed}: an integer`);
  return { help: false, source, size: values.size, ignoreSize, out: values.out, seed };
}
