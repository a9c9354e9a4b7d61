import type { BatchBuilder, RequestBatch } from './request-batch.ts';

/** Turns one text line into zero or more requests pushed on `builder`; throws on bad input. */
export interface LineParser {
  /** Where parsed requests go; may change after the header line (read it on every use). */
  readonly builder: BatchBuilder;
  /** `bytes[start, end)` is the line without its terminator; `lineNo` is 1-based. */
  line(bytes: Uint8Array, start: number, end: number, lineNo: number): void;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a stream of byte chunks into lines (LF or CRLF) and feeds them to `parser`, yielding a
 * batch whenever `batchSize` requests have accumulated. Only a line cut by a chunk boundary is
 * copied; every other line is parsed in place.
 */
export async function* lineBatches(
  chunks: AsyncIterable<Uint8Array>,
  parser: LineParser,
  batchSize: number,
): AsyncGenerator<RequestBatch> {
  let carry: Uint8Array | null = null;
  let lineNo = 0;
  for await (const chunk of chunks) {
    const bytes: Uint8Array = carry === null ? chunk : concat(carry, chunk);
    let start = 0;
    for (let nl = bytes.indexOf(NEWLINE, start); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
      lineNo++;
      parser.line(bytes, start, trimCr(bytes, start, nl), lineNo);
      start = nl + 1;
      if (parser.builder.length >= batchSize) yield parser.builder.take();
    }
    carry = start < bytes.length ? bytes.slice(start) : null;
  }
  if (carry !== null) {
    lineNo++;
    parser.line(carry, 0, trimCr(carry, 0, carry.length), lineNo);
  }
  if (parser.builder.length > 0) yield parser.builder.take();
}

function trimCr(bytes: Uint8Array, start: number, end: number): number {
  return end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
