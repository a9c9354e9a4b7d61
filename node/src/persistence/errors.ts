/**
 * The errors the persistence adapter raises at its boundary. Each has a stable `code` that callers
 * and tests match on; the message names the data directory and says what an operator can do.
 */
export type PersistenceErrorCode =
  /** The directory is not an mlcache data directory (no format marker, but not empty). */
  | 'PERSIST_E_FORMAT'
  /** The directory was written by another format version of mlcache. */
  | 'PERSIST_E_VERSION'
  /** RocksDB refused to open the files, or entries in them cannot be decoded. */
  | 'PERSIST_E_CORRUPT'
  /** Another process holds the RocksDB lock of the directory. */
  | 'PERSIST_E_LOCKED'
  /** Opening failed for another reason (permissions, I/O). */
  | 'PERSIST_E_OPEN'
  /** A batch write failed (full disk, I/O error); writes are refused until a retry succeeds. */
  | 'PERSIST_E_WRITE'
  /** The adapter was used after `close()`. */
  | 'PERSIST_E_CLOSED';

/** An error of the persistence adapter. */
export class PersistenceError extends Error {
  readonly code: PersistenceErrorCode;

  constructor(code: PersistenceErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PersistenceError';
    this.code = code;
  }
}

/** The message of an unknown thrown value, for wrapping. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
