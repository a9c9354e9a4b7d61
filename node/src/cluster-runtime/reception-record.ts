/**
 * The persisted form of a shard's reception (reception.ts): enough to resume it after a restart.
 * JSON, versioned, validated on read; a record that cannot be read is treated as absent, which
 * makes the shard a new reception (safe: its leftover keys are purged before it is served).
 */

export const RECEPTION_STATES = ['purging', 'pulling', 'done'] as const;

/**
 * - `purging`: this node held keys of the shard from an earlier time; they are being removed
 *   before the shard is served (clients get TRYAGAIN meanwhile).
 * - `pulling`: the shard is served here while its keys are copied from the sources.
 * - `done`: every source has been copied; the shard is held completely.
 */
export type ReceptionState = (typeof RECEPTION_STATES)[number];

export interface ReceptionRecord {
  /** The newest source's startedEpoch when the reception began: its identity. */
  readonly since: number;
  readonly state: ReceptionState;
  /** The sources already copied (or skipped because a newer one held the shard completely). */
  readonly done: readonly string[];
}

const VERSION = 1;

export function encodeRecord(record: ReceptionRecord): Buffer {
  const { since, state, done } = record;
  return Buffer.from(JSON.stringify({ v: VERSION, since, state, done: [...done].sort() }), 'utf8');
}

export function decodeRecord(bytes: Buffer): ReceptionRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { v, since, state, done } = value as Record<string, unknown>;
  if (v !== VERSION || !Number.isSafeInteger(since) || (since as number) < 0) return undefined;
  if (!(RECEPTION_STATES as readonly unknown[]).includes(state)) return undefined;
  if (!Array.isArray(done) || !done.every((id) => typeof id === 'string')) return undefined;
  return { since: since as number, state: state as ReceptionState, done };
}
