/**
 * Expected outcomes of store operations. They are values, never exceptions (garnet's
 * GarnetStatus, dragonfly's OpStatus): each transport maps them to its wire errors in one table.
 */
export const OP_STATUS = {
  OK: 'OK',
  /** The key is absent (or expired). */
  NOT_FOUND: 'NOT_FOUND',
  /** A conditional write (NX, XX) did not apply. */
  NOT_APPLIED: 'NOT_APPLIED',
  /** The write does not fit in the memory budget even after evicting everything evictable. */
  OOM: 'OOM',
  /** The value is longer than `maxValueSize` (or the key longer than `maxKeySize`). */
  TOO_LARGE: 'TOO_LARGE',
  /** INCR-family target is not a 64-bit signed integer in decimal. */
  NOT_INTEGER: 'NOT_INTEGER',
  /** INCR-family result would leave the 64-bit signed range. */
  OVERFLOW: 'OVERFLOW',
  /** Persistence refuses writes (for example a full disk); nothing was changed. */
  PERSISTENCE_FAILED: 'PERSISTENCE_FAILED',
} as const;

export type OpStatus = (typeof OP_STATUS)[keyof typeof OP_STATUS];
