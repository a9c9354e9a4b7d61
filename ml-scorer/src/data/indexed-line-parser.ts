import type { LineParser } from './line-batches.ts';
import { BatchBuilder } from './request-batch.ts';
import { TraceFormatError } from './trace-error.ts';

/**
 * The skeleton of a line format whose requests carry no timestamp or TTL (the ARC and LIRS
 * traces): each request's timestamp is its index in the trace. A subclass parses one line and
 * calls `request` for each request it stands for, or throws `formatError` on bad input.
 */
export abstract class IndexedLineParser implements LineParser {
  readonly builder: BatchBuilder;
  readonly #source: string;
  #index = 0;

  constructor(source: string, batchSize: number) {
    this.#source = source;
    this.builder = new BatchBuilder(batchSize, false);
  }

  abstract line(bytes: Uint8Array, start: number, end: number, lineNo: number): void;

  /** Adds the next request: `key` of `size`, timestamped with its index, no TTL. */
  protected request(key: number, size: number): void {
    this.builder.push(this.#index++, key, size, 0);
  }

  /** The error for a line that does not follow the format. */
  protected formatError(message: string, lineNo: number): TraceFormatError {
    return new TraceFormatError(this.#source, message, lineNo);
  }
}
