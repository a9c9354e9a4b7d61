import type { LineParser } from './line-batches.ts';
import { lineBatches } from './line-batches.ts';
import type { RequestBatch } from './request-batch.ts';
import { BatchBuilder } from './request-batch.ts';
import { latin1, parseKeyField, parseNumberField } from './text-fields.ts';
import { TraceFormatError } from './trace-error.ts';

/**
 * The project's CSV trace format: a header line naming the columns, then one request a line.
 * Columns are found by name, in any order: `key` is required; `timestamp` (default: the request's
 * index), `size` (bytes, default 1) and `ttl` (seconds, 0 or empty for none) are optional; other
 * columns are ignored. Fields are plain (no quoting), so keys must not contain commas.
 */
export function readCsvTrace(
  chunks: AsyncIterable<Uint8Array>,
  source: string,
  batchSize: number,
): AsyncGenerator<RequestBatch> {
  return lineBatches(chunks, new CsvLineParser(source, batchSize), batchSize);
}

const COMMA = 0x2c;
/** Upper bound on the columns of one line we look at; more is a malformed line. */
const MAX_FIELDS = 64;

class CsvLineParser implements LineParser {
  readonly #source: string;
  readonly #batchSize: number;
  #builder: BatchBuilder;
  #columns = 0;
  #keyColumn = -1;
  #timestampColumn = -1;
  #sizeColumn = -1;
  #ttlColumn = -1;
  #index = 0;
  // Field boundaries of the current line, reused for every line.
  readonly #starts = new Int32Array(MAX_FIELDS);
  readonly #ends = new Int32Array(MAX_FIELDS);

  constructor(source: string, batchSize: number) {
    this.#source = source;
    this.#batchSize = batchSize;
    this.#builder = new BatchBuilder(batchSize, false);
  }

  get builder(): BatchBuilder {
    return this.#builder;
  }

  line(bytes: Uint8Array, start: number, end: number, lineNo: number): void {
    if (end <= start) return;
    if (this.#columns === 0) {
      this.#header(latin1(bytes, start, end), lineNo);
      return;
    }
    const fields = this.#split(bytes, start, end);
    if (fields !== this.#columns) {
      this.#fail(`expected ${this.#columns} comma-separated fields, found ${fields}`, lineNo);
    }
    const starts = this.#starts;
    const ends = this.#ends;
    const k = this.#keyColumn;
    if (ends[k]! <= starts[k]!) this.#fail('empty key', lineNo);
    const key = parseKeyField(bytes, starts[k]!, ends[k]!);
    const timestamp = this.#number(bytes, this.#timestampColumn, this.#index, 'timestamp', lineNo);
    const size = this.#number(bytes, this.#sizeColumn, 1, 'size', lineNo);
    if (!(size >= 0)) this.#fail(`size must be a non-negative number`, lineNo);
    const ttl = this.#ttlColumn < 0 ? 0 : this.#ttl(bytes, lineNo);
    this.#builder.push(timestamp, key, size, ttl);
    this.#index++;
  }

  #header(text: string, lineNo: number): void {
    const names = text.split(',').map((name) => name.trim().toLowerCase());
    if (names.length > MAX_FIELDS) this.#fail(`more than ${MAX_FIELDS} columns`, lineNo);
    this.#keyColumn = names.indexOf('key');
    if (this.#keyColumn < 0) {
      this.#fail(`the header must name a 'key' column (found '${text}')`, lineNo);
    }
    this.#timestampColumn = names.indexOf('timestamp');
    this.#sizeColumn = names.indexOf('size');
    this.#ttlColumn = names.indexOf('ttl');
    this.#columns = names.length;
    if (this.#ttlColumn >= 0) this.#builder = new BatchBuilder(this.#batchSize, true);
  }

  /** Records field boundaries in #starts/#ends; returns the field count (capped). */
  #split(bytes: Uint8Array, start: number, end: number): number {
    let fields = 0;
    let fieldStart = start;
    for (let i = start; i < end; i++) {
      if (bytes[i] !== COMMA) continue;
      if (fields === MAX_FIELDS - 1) return MAX_FIELDS + 1;
      this.#starts[fields] = fieldStart;
      this.#ends[fields] = i;
      fields++;
      fieldStart = i + 1;
    }
    this.#starts[fields] = fieldStart;
    this.#ends[fields] = end;
    return fields + 1;
  }

  #number(
    bytes: Uint8Array,
    column: number,
    fallback: number,
    what: string,
    lineNo: number,
  ): number {
    if (column < 0) return fallback;
    const value = parseNumberField(bytes, this.#starts[column]!, this.#ends[column]!);
    if (!Number.isFinite(value)) {
      const text = latin1(bytes, this.#starts[column]!, this.#ends[column]!);
      this.#fail(`${what} '${text}' is not a number`, lineNo);
    }
    return value;
  }

  #ttl(bytes: Uint8Array, lineNo: number): number {
    const start = this.#starts[this.#ttlColumn]!;
    const end = this.#ends[this.#ttlColumn]!;
    if (end <= start) return 0;
    const ttl = parseNumberField(bytes, start, end);
    if (!(ttl >= 0) || !Number.isFinite(ttl)) {
      this.#fail(`ttl '${latin1(bytes, start, end)}' is not a non-negative number`, lineNo);
    }
    return ttl;
  }

  #fail(message: string, lineNo: number): never {
    throw new TraceFormatError(this.#source, message, lineNo);
  }
}
