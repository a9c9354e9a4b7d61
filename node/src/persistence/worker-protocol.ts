/** Messages between the event loop (rocks-writer.ts) and the write thread (write-worker.ts). */

/** An error as it crosses the thread boundary. */
export interface WireError {
  readonly message: string;
  readonly code?: string;
}

/** One batch to write: the output of `serializeBatch`, transferred, and whether to fsync. */
export interface WriteRequest {
  readonly id: number;
  readonly batch: ArrayBuffer;
  readonly sync: boolean;
}

/** What the write thread posts: whether it attached to the database, then one reply per request. */
export type WriteWorkerMessage =
  | { readonly ready: true }
  | { readonly ready: false; readonly error: WireError }
  | { readonly id: number; readonly error?: WireError };

/** Turns any thrown value into a WireError, with RocksDB's own status text when wrapped. */
export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { message: String(error) };
  // abstract-level wraps the binding's error: the RocksDB status text is in the cause.
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code =
    (cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
  const message =
    cause && cause.message !== error.message ? `${error.message}: ${cause.message}` : error.message;
  return typeof code === 'string' ? { message, code } : { message };
}

/** Turns a WireError back into an Error (with its `code`). */
export function fromWireError(error: WireError): Error {
  return Object.assign(
    new Error(error.message),
    error.code === undefined ? {} : { code: error.code },
  );
}
