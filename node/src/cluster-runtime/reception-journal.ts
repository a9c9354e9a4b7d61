import type { Persistence } from '../core/persistence.ts';
import type { Reception } from './reception.ts';
import { decodeRecord, encodeRecord } from './reception-record.ts';
import type { ReceptionRecord } from './reception-record.ts';
import { parseReservedKey, recordKey, tombstoneKey } from './reserved-keys.ts';

const EMPTY = Buffer.alloc(0);

/**
 * Writes the receptions' records and tombstones through the store's persistence port, so that a
 * node restarting mid-migration resumes with the same resolved keys (see docs/cluster.md). The
 * port applies changes in order, so a tombstone is durable no later than the DEL that made it.
 */
export class ReceptionJournal {
  readonly #persistence: Persistence;

  constructor(persistence: Persistence) {
    this.#persistence = persistence;
  }

  save(reception: Reception): void {
    this.#persistence.put(recordKey(reception.shard), encodeRecord(reception.record()), 0);
  }

  delete(shard: number): void {
    this.#persistence.delete(recordKey(shard));
  }

  addTombstone(key: string): void {
    this.#persistence.put(tombstoneKey(key), EMPTY, 0);
  }

  deleteTombstones(keys: Iterable<string>): void {
    for (const key of keys) this.#persistence.delete(tombstoneKey(key));
  }
}

/** The reserved entries read back at start-up, before the first ring decides what they mean. */
export class RestoredEntries {
  readonly records = new Map<number, ReceptionRecord>();
  readonly tombstones: string[] = [];
  /** Reserved keys that are not ours or cannot be read (left as they are). */
  ignored = 0;

  accept(key: string, value: Buffer): void {
    const parsed = parseReservedKey(key);
    if (parsed.kind === 'tombstone') {
      this.tombstones.push(parsed.key);
      return;
    }
    const record = parsed.kind === 'record' ? decodeRecord(value) : undefined;
    if (parsed.kind === 'record' && record !== undefined) this.records.set(parsed.shard, record);
    else this.ignored++;
  }
}
