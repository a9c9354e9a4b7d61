import { IndexedLineParser } from './indexed-line-parser.ts';
import { lineBatches } from './line-batches.ts';
import type { RequestBatch } from './request-batch.ts';
import { isIntegerText, latin1, parseKeyField } from './text-fields.ts';

/**
 * The LIRS paper's format: one block number a line. A line holding `*` is a checkpoint marker
 * of the original simulator (print the stacks here), not a request, and is skipped. Sizes are 1
 * and timestamps are request indices.
 */
export function readLirsTrace(
  chunks: AsyncIterable<Uint8Array>,
  source: string,
  batchSize: number,
): AsyncGenerator<RequestBatch> {
  return lineBatches(chunks, new LirsLineParser(source, batchSize), batchSize);
}

class LirsLineParser extends IndexedLineParser {
  line(bytes: Uint8Array, start: number, end: number, lineNo: number): void {
    let s = start;
    let e = end;
    while (s < e && isSpace(bytes[s]!)) s++;
    while (e > s && isSpace(bytes[e - 1]!)) e--;
    if (e === s || (e - s === 1 && bytes[s] === 0x2a) /* '*' */) return;
    if (!isIntegerText(bytes, s, e)) {
      throw this.formatError(
        `expected a block number or '*', found '${latin1(bytes, s, e)}'`,
        lineNo,
      );
    }
    this.request(parseKeyField(bytes, s, e), 1);
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
