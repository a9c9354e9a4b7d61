/**
 * A broken request stream. Unlike expected outcomes (which are replies), this ends the
 * connection: Redis replies with the error and then closes, because it can no longer tell where
 * the next command starts. Built only by the static factories below, so that every wire text is
 * Redis's own and written in one place.
 */
export type RespProtocolErrorCode =
  | 'RESP_E_MULTIBULK_LENGTH'
  | 'RESP_E_BULK_LENGTH'
  | 'RESP_E_UNEXPECTED_BYTE'
  | 'RESP_E_INLINE_TOO_BIG'
  | 'RESP_E_MULTIBULK_HEADER_TOO_BIG'
  | 'RESP_E_BULK_HEADER_TOO_BIG'
  | 'RESP_E_UNBALANCED_QUOTES'
  | 'RESP_E_UNAUTHENTICATED_MULTIBULK'
  | 'RESP_E_UNAUTHENTICATED_BULK'
  | 'RESP_E_QUERY_BUFFER';

export class RespProtocolError extends Error {
  override readonly name = 'RespProtocolError';
  readonly code: RespProtocolErrorCode;
  /** The error line to send before closing, without the leading `-` and the CRLF. */
  readonly reply: string;

  private constructor(code: RespProtocolErrorCode, detail: string) {
    super(`Protocol error: ${detail}`);
    this.code = code;
    this.reply = `ERR Protocol error: ${detail}`;
  }

  /** `*n` with n not an integer, or beyond INT_MAX / the configured array limit. */
  static invalidMultibulkLength(): RespProtocolError {
    return new RespProtocolError('RESP_E_MULTIBULK_LENGTH', 'invalid multibulk length');
  }

  /** More arguments than the configured limit (Redis reports it as an invalid length). */
  static tooManyArguments(count: number, max: number): RespProtocolError {
    const error = RespProtocolError.invalidMultibulkLength();
    error.message += ` (${count} > ${max})`;
    return error;
  }

  /** `$n` with n not a non-negative integer. */
  static invalidBulkLength(): RespProtocolError {
    return new RespProtocolError('RESP_E_BULK_LENGTH', 'invalid bulk length');
  }

  /** `$n` longer than the limit (proto-max-bulk-len); same wire text as Redis. */
  static bulkTooLong(length: number, max: number): RespProtocolError {
    const error = RespProtocolError.invalidBulkLength();
    error.message += ` (${length} > ${max})`;
    return error;
  }

  /** Inside a multibulk request, an argument that does not start with `$`. */
  static unexpectedByte(byte: number): RespProtocolError {
    // Redis prints the byte with %c; a CR or LF would break the reply line, so it becomes a space.
    const shown = byte === 0x0d || byte === 0x0a ? ' ' : String.fromCharCode(byte);
    return new RespProtocolError('RESP_E_UNEXPECTED_BYTE', `expected '$', got '${shown}'`);
  }

  static inlineTooBig(): RespProtocolError {
    return new RespProtocolError('RESP_E_INLINE_TOO_BIG', 'too big inline request');
  }

  static multibulkHeaderTooBig(): RespProtocolError {
    return new RespProtocolError('RESP_E_MULTIBULK_HEADER_TOO_BIG', 'too big mbulk count string');
  }

  static bulkHeaderTooBig(): RespProtocolError {
    return new RespProtocolError('RESP_E_BULK_HEADER_TOO_BIG', 'too big bulk count string');
  }

  static unbalancedQuotes(): RespProtocolError {
    return new RespProtocolError('RESP_E_UNBALANCED_QUOTES', 'unbalanced quotes in request');
  }

  static unauthenticatedMultibulkLength(): RespProtocolError {
    return new RespProtocolError(
      'RESP_E_UNAUTHENTICATED_MULTIBULK',
      'unauthenticated multibulk length',
    );
  }

  static unauthenticatedBulkLength(): RespProtocolError {
    return new RespProtocolError('RESP_E_UNAUTHENTICATED_BULK', 'unauthenticated bulk length');
  }

  /** One unfinished request grew past the query buffer limit (client-query-buffer-limit). */
  static queryBufferTooLong(length: number, max: number): RespProtocolError {
    const error = new RespProtocolError('RESP_E_QUERY_BUFFER', 'too big query buffer');
    error.message += ` (${length} > ${max})`;
    return error;
  }
}
