import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SourceSpec } from './trace-source.ts';
import type { TraceSummary } from './working-set.ts';

/**
 * Remembers trace summaries (working-set sizes) between runs, so that fractional `--sizes` cost
 * a counting pass only the first time a trace is used. One small JSON file per trace in a cache
 * folder, keyed by the trace's absolute path, size and modification time (a changed file gets a
 * new key); workloads are keyed by their spec, which determines them. Best effort: an unreadable
 * or unwritable cache only means counting again.
 */
export interface SummaryCache {
  get(source: SourceSpec): TraceSummary | undefined;
  set(source: SourceSpec, summary: TraceSummary): void;
}

/** A cache in `dir` (created on first write). */
export function createSummaryCache(dir: string): SummaryCache {
  const fileFor = (source: SourceSpec): string | undefined => {
    const key = cacheKey(source);
    return key === undefined
      ? undefined
      : join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  };
  return {
    get(source) {
      const file = fileFor(source);
      if (file === undefined) return undefined;
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<TraceSummary>;
        const { requests, uniqueObjects, uniqueBytes } = parsed;
        if (
          typeof requests === 'number' &&
          typeof uniqueObjects === 'number' &&
          typeof uniqueBytes === 'number'
        ) {
          return { requests, uniqueObjects, uniqueBytes };
        }
      } catch {
        // absent or unreadable: count again
      }
      return undefined;
    },
    set(source, summary) {
      const file = fileFor(source);
      if (file === undefined) return;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, `${JSON.stringify(summary)}\n`);
      } catch {
        // read-only or full: the next run counts again
      }
    },
  };
}

/** A cache that never remembers (`--no-cache`, tests). */
export function createNoSummaryCache(): SummaryCache {
  return { get: () => undefined, set: () => {} };
}

function cacheKey(source: SourceSpec): string | undefined {
  if (source.kind === 'workload') return `workload\0${source.spec}`;
  try {
    const path = resolve(source.path);
    const stat = statSync(path);
    return `trace\0${path}\0${stat.size}\0${stat.mtimeMs}\0${source.format}`;
  } catch {
    return undefined;
  }
}
