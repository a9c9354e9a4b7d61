import type { LineParser } from './line-batches.ts';
import { lineBatches } from './line-batches.ts';
import type { RequestBatch } from './request-batch.ts';
import { BatchBuilder } from './request-batch.ts';
import { isIntegerText, latin1, parseKeyField } from './text-fields.ts';
import { TraceFormatError } from './trace-error.ts';

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

class LirsLineParser implements LineParser {
  readonly builder: BatchBuilder;
  readonly #source: string;
  #index = 0;

  constructor(source: string, batchSize: number) {
    this.#source = source;
    this.builder = new BatchBuilder(batchSize, false);
  }

  line(bytes: Uint8Array, start: number, end: number, lineNo: number): void {
    let s = start;
    let e = end;
    while (s < e && isSpace(bytes[s]!)) s++;
    while (e > s && isSpace(bytes[e - 1]!)) e--;
    if (e === s || (e - s === 1 && bytes[s] === 0x2a) /* '*' */) return;
    if (!isIntegerText(bytes, s, e)) {
      throw new TraceFormatError(
        this.#source,
        `expected a block number or '*', found '${latin1(bytes, s, e)}'`,
        lineNo,
      );
    }
    this.builder.push(this.#index++, parseKeyField(bytes, s, e), 1, 0);
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
