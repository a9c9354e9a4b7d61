/** A trace that cannot be read as its format says: carries where, for a clear CLI message. */
export class TraceFormatError extends Error {
  readonly code = 'TRACE_E_FORMAT';
  /** 1-based line number (text formats) or record number (binary formats), when known. */
  readonly line: number | undefined;

  constructor(source: string, message: string, line?: number) {
    super(line === undefined ? `${source}: ${message}` : `${source}:${line}: ${message}`);
    this.name = 'TraceFormatError';
    this.line = line;
  }
}
