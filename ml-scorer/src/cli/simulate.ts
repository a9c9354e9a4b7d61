import { readdirSync, statSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TraceFormat } from '../data/trace-file.ts';
import { isTraceFile, TRACE_FORMATS } from '../data/trace-file.ts';
import type { SizeSpec } from '../sim/cache-sizes.ts';
import { capacityFor, DEFAULT_SIZES, needsWorkingSet, parseSizes } from '../sim/cache-sizes.ts';
import type { CellSpec } from '../sim/cells.ts';
import { missRatioChart, writeChart } from '../sim/plot.ts';
import { defaultPolicyNames, simPolicyNames } from '../sim/policy-table.ts';
import type { ProgressStream } from '../sim/progress-bar.ts';
import { ProgressBar } from '../sim/progress-bar.ts';
import type { SimRow } from '../sim/result-table.ts';
import { formatTable, toJsonRow } from '../sim/result-table.ts';
import { runCells } from '../sim/run-cells.ts';
import type { SummaryCache } from '../sim/summary-cache.ts';
import { createNoSummaryCache, createSummaryCache } from '../sim/summary-cache.ts';
import type { SourceSpec } from '../sim/trace-source.ts';
import { openSource, sourceName } from '../sim/trace-source.ts';
import type { TraceSummary } from '../sim/working-set.ts';
import { summarizeTrace } from '../sim/working-set.ts';
import { parseWorkloadSpec } from '../sim/workloads/workload-spec.ts';

/*
 * \`mlcache sim\`: the composition root of the simulator. Argument parsing lives here too, not in
 * a helper module, because the lint zones forbid any ml-scorer/src module (cli/ included) to
 * import from cli/; reusable pieces (progress bar, result table) are in sim/.
 */

/** Error codes that mean bad input (exit 2) rather than a failure of the simulator (exit 1). */
const BAD_INPUT = new Set([
  'SIM_E_USAGE',
  'SIM_E_WORKLOAD',
  'TRACE_E_FORMAT',
  'ENOENT',
  'EISDIR',
  'EACCES',
]);

/** What `mlcache sim` talks to; injected so that tests can capture it. */
export interface SimIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: ProgressStream;
  /** Folder for cached working-set sizes; undefined disables the cache. */
  readonly cacheDir: string | undefined;
  readonly cores: number;
}

/** `mlcache sim` (see SIM_USAGE); resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  const cacheHome = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return runSim(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    cacheDir: join(cacheHome, 'mlcache', 'trace-summaries'),
    cores: availableParallelism(),
  });
}

/** The command with its I/O injected. */
export async function runSim(argv: readonly string[], io: SimIo): Promise<number> {
  // Outside the try, so that an error can clear a half-drawn bar before its message.
  let bar: ProgressBar | undefined;
  try {
    const args = parseSimArgs(argv, io.cores);
    if (args.help) {
      io.stdout.write(`${SIM_USAGE}\n`);
      return 0;
    }
    bar = new ProgressBar(io.stderr, args.progress);
    const cache =
      args.cache && io.cacheDir !== undefined
        ? createSummaryCache(io.cacheDir)
        : createNoSummaryCache();
    const rows: SimRow[] = [];
    for (const source of args.sources) {
      const sourceRows: SimRow[] = await simulateSource(source, args, cache, bar);
      bar.done();
      if (args.json)
        for (const row of sourceRows) io.stdout.write(`${JSON.stringify(toJsonRow(row))}\n`);
      rows.push(...sourceRows);
    }
    if (!args.json) io.stdout.write(`${formatTable(rows)}\n`);
    if (args.plot !== undefined) {
      await writeChart(
        missRatioChart(rows.map((row) => ({ ...row, cacheSize: row.capacity }))),
        args.plot,
      );
      io.stderr.write(`wrote ${args.plot}\n`);
    }
    return 0;
  } catch (error) {
    bar?.done();
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`mlcache sim: ${message}\n`);
    if (code === 'SIM_E_USAGE') io.stderr.write("Run 'mlcache sim --help' for the options.\n");
    return typeof code === 'string' && BAD_INPUT.has(code) ? 2 : 1;
  }
}

async function simulateSource(
  source: SourceSpec,
  args: SimArgs,
  cache: SummaryCache,
  bar: ProgressBar,
): Promise<SimRow[]> {
  const trace = sourceName(source);
  let summary = cache.get(source);
  if (summary === undefined && needsWorkingSet(args.sizes)) {
    summary = await count(source, trace, bar);
    cache.set(source, summary);
  }
  const cells = args.sizes.flatMap((size) =>
    args.policies.map((policy): CellSpec => ({
      policy,
      capacity: capacityFor(size, args.ignoreSize, summary),
      sizeFraction: size.kind === 'fraction' ? size.fraction : null,
      ignoreSize: args.ignoreSize,
    })),
  );
  bar.start(trace, summary?.requests);
  const results = await runCells(source, cells, {
    jobs: args.jobs,
    onProgress: (requests) => bar.update(requests),
  });
  return results.map((result) => ({ ...result, trace }));
}

async function count(source: SourceSpec, trace: string, bar: ProgressBar): Promise<TraceSummary> {
  bar.start(`counting ${trace}`);
  return summarizeTrace(openSource(source), (requests) => bar.update(requests));
}

/** Bad command-line input: the CLI prints the message and exits with 2. */
export class UsageError extends Error {
  readonly code = 'SIM_E_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `mlcache sim`'s options once parsed and checked. */
export interface SimArgs {
  readonly help: boolean;
  readonly sources: readonly SourceSpec[];
  readonly policies: readonly string[];
  readonly sizes: readonly SizeSpec[];
  readonly ignoreSize: boolean;
  readonly json: boolean;
  readonly plot: string | undefined;
  readonly jobs: number;
  readonly progress: boolean;
  readonly cache: boolean;
}

export const SIM_USAGE = `Usage: mlcache sim (--trace PATH | --workload SPEC)... [options]

Replays traces through eviction policies (the node's own code) and reports miss ratios.

Sources (repeatable, at least one):
  --trace PATH        a trace file, or a folder (every trace file in it)
  --format FORMAT     auto (by extension, default) | ${TRACE_FORMATS.join(' | ')}
                      .csv[.zst|.gz]  .bin/.oracleGeneral  .lis (ARC)  .trace/.lirs (LIRS)
  --workload SPEC     a synthetic workload, KIND:param=value,... with KIND one of
                      zipf, uniform, shifting, loop, onehit; for example
                      zipf:alpha=0.9,keys=1e6,requests=1e7,seed=1,sizes=lognormal:8,1.5

Options:
  --policies LIST     comma-separated (default: every evicting policy of the registry, then
                      belady; belady-size forces the size-aware variant)
  --sizes LIST        fractions of the working set (0.01, 5%) or absolute sizes (5000, 64MiB)
                      (default ${DEFAULT_SIZES})
  --ignore-size       object budget: every object counts 1 (default: byte budget)
  --json              one JSON object per result on stdout instead of a table
  --plot FILE         miss ratio vs cache size per policy, FILE.svg or FILE.png
  --jobs N            worker threads sharing the cells of a trace (default: available cores)
  --no-progress       no progress bar (it is drawn on stderr only when that is a terminal)
  --no-cache          do not read or write cached working-set sizes
  -h, --help          this text`;

/** Parses and checks argv (after `sim`); throws UsageError with a precise message. */
export function parseSimArgs(argv: readonly string[], defaultJobs: number): SimArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        trace: { type: 'string', multiple: true },
        format: { type: 'string', default: 'auto' },
        workload: { type: 'string', multiple: true },
        policies: { type: 'string' },
        sizes: { type: 'string', default: DEFAULT_SIZES },
        'ignore-size': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        plot: { type: 'string' },
        jobs: { type: 'string' },
        'no-progress': { type: 'boolean', default: false },
        'no-cache': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const base = {
    ignoreSize: values['ignore-size'],
    json: values.json,
    plot: values.plot,
    progress: !values['no-progress'],
    cache: !values['no-cache'],
  };
  if (values.help) {
    return { ...base, help: true, sources: [], policies: [], sizes: [], jobs: 1 };
  }
  const format = parseFormat(values.format);
  const sources = [
    ...(values.trace ?? []).flatMap((path) => expandTrace(path, format)),
    ...(values.workload ?? []).map((spec) => checkWorkload(spec)),
  ];
  if (sources.length === 0) throw new UsageError('give at least one --trace or --workload');
  if (values.plot !== undefined && !/\.(svg|png)$/i.test(values.plot)) {
    throw new UsageError(`--plot ${values.plot}: the file name must end in .svg or .png`);
  }
  return {
    ...base,
    help: false,
    sources,
    policies: parsePolicies(values.policies),
    sizes: parseSizeList(values.sizes),
    jobs: parseJobs(values.jobs, defaultJobs),
  };
}

function parseFormat(text: string): TraceFormat | 'auto' {
  if (text === 'auto' || (TRACE_FORMATS as readonly string[]).includes(text)) {
    return text as TraceFormat | 'auto';
  }
  throw new UsageError(`--format ${text}: expected auto, ${TRACE_FORMATS.join(', ')}`);
}

/** A file is taken as given; a folder stands for the trace files directly inside it. */
function expandTrace(path: string, format: TraceFormat | 'auto'): SourceSpec[] {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    throw new UsageError(`--trace ${path}: no such file or folder`);
  }
  if (!isFolder) return [{ kind: 'trace', path, format }];
  const files = readdirSync(path)
    .filter((name) => isTraceFile(name))
    .sort()
    .map((name) => join(path, name));
  if (files.length === 0) throw new UsageError(`--trace ${path}: the folder holds no trace files`);
  return files.map((file) => ({ kind: 'trace', path: file, format }));
}

function checkWorkload(spec: string): SourceSpec {
  try {
    parseWorkloadSpec(spec);
  } catch (error) {
    throw new UsageError(`--workload: ${(error as Error).message}`);
  }
  return { kind: 'workload', spec };
}

function parsePolicies(text: string | undefined): string[] {
  if (text === undefined) return defaultPolicyNames();
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const valid = simPolicyNames();
  const unknown = names.filter((name) => !valid.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown polic${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')}; valid: ${valid.join(', ')}`,
    );
  }
  if (names.length === 0) throw new UsageError('--policies: give at least one policy');
  return [...new Set(names)];
}

function parseSizeList(text: string): SizeSpec[] {
  try {
    return parseSizes(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parseJobs(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const jobs = Number(text);
  if (!Number.isSafeInteger(jobs) || jobs < 1)
    throw new UsageError(`--jobs ${text}: expected an integer >= 1`);
  return jobs;
}
