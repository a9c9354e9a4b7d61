/**
 * RESP2 wire constants shared by the request decoder, the reply writer and the test encoder.
 * Byte values are named after the character they stand for, as node-redis's RESP_TYPES are.
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
