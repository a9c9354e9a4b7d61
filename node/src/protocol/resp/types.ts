/**
 * RESP wire constants shared by the request decoder, the reply writer and the test encoder.
 * Byte values are named after the character they stand for, as node-redis's RESP_TYPES are.
 * Requests are always RESP2 arrays; the RESP3 types below only appear in replies, on a
 * connection that switched with `HELLO 3`.
 */
export const RESP_TYPES = {
  /** `*` array header */
  ARRAY: 0x2a,
  /** `$` bulk string header */
  BULK_STRING: 0x24,
  /** `+` simple string */
  SIMPLE_STRING: 0x2b,
  /** `-` error */
  ERROR: 0x2d,
  /** `:` integer */
  INTEGER: 0x3a,
  /** RESP3 `_` null (RESP2 has a null bulk string and a null array instead) */
  NULL: 0x5f,
  /** RESP3 `%` map header: the count is of key/value pairs */
  MAP: 0x25,
  /** RESP3 `~` set header */
  SET: 0x7e,
  /** RESP3 `=` verbatim string: a bulk string whose first 4 bytes are a format such as `txt:` */
  VERBATIM_STRING: 0x3d,
  /** RESP3 `#` boolean (`#t` or `#f`) */
  BOOLEAN: 0x23,
  /** RESP3 `,` double */
  DOUBLE: 0x2c,
  /** RESP3 `(` big number */
  BIG_NUMBER: 0x28,
  /** RESP3 `!` bulk error */
  BLOB_ERROR: 0x21,
  /** RESP3 `>` push (out-of-band data) */
  PUSH: 0x3e,
  /** RESP3 `|` attribute map, which precedes a reply */
  ATTRIBUTE: 0x7c,
} as const;

export const CR = 0x0d;
export const LF = 0x0a;

/**
 * What `RespRequestDecoder.next()` returns when the input holds no complete command yet. A
 * complete command always has at least one argument (Redis skips empty ones), so 0 is free.
 */
export const NEED_MORE = 0;

/** Redis's `proto-max-bulk-len` default: the longest bulk string a client may send. */
export const DEFAULT_MAX_BULK_LENGTH = 512 * 1024 * 1024;

/** Redis accepts multibulk lengths up to INT_MAX; memory grows only as arguments arrive. */
export const DEFAULT_MAX_ARRAY_LENGTH = 2 ** 31 - 1;

/**
 * Redis's PROTO_INLINE_MAX_SIZE: the longest inline command, and the longest `*n`/`$n` header
 * line, before the request is refused.
 */
export const MAX_INLINE_LENGTH = 64 * 1024;

/**
 * Redis's default `client-query-buffer-limit`: how much of one unfinished request a connection
 * may hold. It also keeps argument offsets within Int32Array range.
 */
export const DEFAULT_MAX_QUERY_BUFFER = 1024 * 1024 * 1024;

/**
 * The smaller limits Redis applies before a client has authenticated (when a password is set),
 * so that an anonymous peer cannot make the server buffer large requests.
 */
export const UNAUTHENTICATED_MAX_ARRAY_LENGTH = 10;
export const UNAUTHENTICATED_MAX_BULK_LENGTH = 16 * 1024;
