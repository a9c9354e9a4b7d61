import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { readArcTrace } from './arc-reader.ts';
import { readCsvTrace } from './csv-reader.ts';
import { readLirsTrace } from './lirs-reader.ts';
import { readOracleGeneralTrace } from './oracle-general-reader.ts';
import type { RequestBatch } from './request-batch.ts';
import { DEFAULT_BATCH_SIZE } from './request-batch.ts';
import { TraceFormatError } from './trace-error.ts';

/** The trace formats `--format` accepts (`auto` picks one from the file name). */
export const TRACE_FORMATS = ['csv', 'oracleGeneral', 'arc', 'lirs'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** Compression is recognised by the last extension and undone while streaming. */
const COMPRESSION_EXTENSIONS = ['.zst', '.gz'] as const;

/** Which format a file name implies, after any `.zst`/`.gz`; undefined when none does. */
export function detectFormat(path: string): TraceFormat | undefined {
  const name = stripCompression(basename(path)).toLowerCase();
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.bin') || name.endsWith('.oraclegeneral')) return 'oracleGeneral';
  if (name.endsWith('.lis')) return 'arc';
  if (name.endsWith('.trace') || name.endsWith('.lirs') || name.endsWith('.trc')) return 'lirs';
  return undefined;
}

/** Whether a file name looks like a trace this module can read (for scanning folders). */
export function isTraceFile(path: string): boolean {
  return detectFormat(path) !== undefined;
}

/** The name a trace is reported under: the file name without format and compression extensions. */
export function traceName(path: string): string {
  return stripCompression(basename(path)).replace(
    /(\.oracleGeneral)?\.(csv|bin|oracleGeneral|lis|trace|lirs|trc)$/i,
    '',
  );
}

function stripCompression(name: string): string {
  const lower = name.toLowerCase();
  const ext = COMPRESSION_EXTENSIONS.find((e) => lower.endsWith(e));
  return ext === undefined ? name : name.slice(0, -ext.length);
}

/** Options for opening a trace. */
export interface OpenTraceOptions {
  /** @default 'auto' (by extension) */
  readonly format?: TraceFormat | 'auto';
  /** @default DEFAULT_BATCH_SIZE */
  readonly batchSize?: number;
}

/** An opened trace: its batches (read once) and how far the reading has come. */
export interface TraceFile {
  readonly path: string;
  readonly format: TraceFormat;
  readonly batches: AsyncIterable<RequestBatch>;
  /** Compressed bytes read so far and the file's size, for progress bars. */
  progress(): { readonly bytesRead: number; readonly totalBytes: number };
}

/** Opens a trace file for one streaming pass, undoing `.zst` or `.gz` compression on the way. */
export function openTrace(path: string, options: OpenTraceOptions = {}): TraceFile {
  const requested = options.format ?? 'auto';
  const format = requested === 'auto' ? detectFormat(path) : requested;
  if (format === undefined) {
    throw new TraceFormatError(
      path,
      `cannot tell the trace format from the file name; pass --format ${TRACE_FORMATS.join('|')}`,
    );
  }
  const totalBytes = statSync(path).size;
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const chunks = decompress(path, file);
  return {
    path,
    format,
    batches: READERS[format](chunks, path, batchSize),
    progress: () => ({ bytesRead: file.bytesRead, totalBytes }),
  };
}

type Reader = (
  chunks: AsyncIterable<Uint8Array>,
  source: string,
  batchSize: number,
) => AsyncIterable<RequestBatch>;

const READERS: Readonly<Record<TraceFormat, Reader>> = {
  csv: readCsvTrace,
  oracleGeneral: readOracleGeneralTrace,
  arc: readArcTrace,
  lirs: readLirsTrace,
};

function decompress(path: string, file: Readable): AsyncIterable<Uint8Array> {
  const lower = path.toLowerCase();
  const inflate = lower.endsWith('.zst')
    ? createZstdDecompress()
    : lower.endsWith('.gz')
      ? createGunzip()
      : undefined;
  if (inflate === undefined) return file;
  // pipeline, not pipe: a read error must reach the consumer through the decompressor.
  pipeline(file, inflate, () => {});
  return inflate;
}
