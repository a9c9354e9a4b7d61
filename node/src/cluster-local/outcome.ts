/**
 * How cluster commands end. Failures are values with a stable code (what the CLI maps to its exit
 * status and tests assert on) and a message that says what to do; exceptions are left for bugs.
 */
export const FAILURE_CODES = [
  /** A wait ran past --timeout. */
  'timeout',
  /** No cluster is recorded in the directory. */
  'no-cluster',
  /** A live cluster is already recorded in the directory. */
  'already-running',
  /** Another command holds the directory's lock. */
  'busy',
  /** A process did not start or did not become ready. */
  'start-failed',
  /** A member refused a ring, or runs a newer one than ours (someone else changed the cluster). */
  'refused',
  /** The request makes no sense for this cluster (a bad shard or node, an invalid file). */
  'invalid',
] as const;

export type FailureCode = (typeof FAILURE_CODES)[number];

export interface Failure {
  readonly code: FailureCode;
  readonly message: string;
}

export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: Failure };

export function succeed<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function fail(code: FailureCode, message: string): { ok: false; failure: Failure } {
  return { ok: false, failure: { code, message } };
}
