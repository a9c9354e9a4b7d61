import { IndexedLineParser } from './indexed-line-parser.ts';
import { lineBatches } from './line-batches.ts';
import type { RequestBatch } from './request-batch.ts';
import { latin1 } from './text-fields.ts';

/** The ARC traces address 512-byte disk blocks. */
export const ARC_BLOCK_SIZE = 512;

/**
 * The ARC paper's `.lis` format: each line `start count ignored ignored` stands for `count`
 * requests of the consecutive blocks `start, start + 1, ...`. Timestamps are request indices and
 * every request has the block size.
 */
export function readArcTrace(
  chunks: AsyncIterable<Uint8Array>,
  source: string,
  batchSize: number,
): AsyncGenerator<RequestBatch> {
  return lineBatches(chunks, new ArcLineParser(source, batchSize), batchSize);
}

class ArcLineParser extends IndexedLineParser {
  line(bytes: Uint8Array, start: number, end: number, lineNo: number): void {
    const text = latin1(bytes, start, end).trim();
    if (text === '') return;
    const fields = text.split(/\s+/);
    const first = Number(fields[0]);
    const count = Number(fields[1]);
    if (
      fields.length < 2 ||
      !Number.isSafeInteger(first) ||
      !Number.isSafeInteger(count) ||
      count < 0
    ) {
      throw this.formatError(`expected 'start count ...' with integers, found '${text}'`, lineNo);
    }
    for (let block = first; block < first + count; block++) {
      this.request(block, ARC_BLOCK_SIZE);
    }
  }
}
