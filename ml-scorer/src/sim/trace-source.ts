import type { RequestBatch } from '../data/request-batch.ts';
import type { TraceFormat } from '../data/trace-file.ts';
import { openTrace, traceName } from '../data/trace-file.ts';
import { generateWorkload } from './workloads/workload.ts';
import { parseWorkloadSpec } from './workloads/workload-spec.ts';

/**
 * Where requests come from, as plain data: it crosses to worker threads, each of which opens
 * the source again for its own pass.
 */
export type SourceSpec =
  | { readonly kind: 'trace'; readonly path: string; readonly format: TraceFormat | 'auto' }
  | { readonly kind: 'workload'; readonly spec: string };

/** The name results carry: the trace's file name without extensions, or the workload spec. */
export function sourceName(source: SourceSpec): string {
  return source.kind === 'trace' ? traceName(source.path) : source.spec;
}

/** Opens a source for one pass. */
export function openSource(
  source: SourceSpec,
): AsyncIterable<RequestBatch> | Iterable<RequestBatch> {
  if (source.kind === 'trace') return openTrace(source.path, { format: source.format }).batches;
  return generateWorkload(parseWorkloadSpec(source.spec));
}
