/**
 * The RocksDB persistence adapter against real RocksDB in temporary directories: round trips
 * across close and reopen, TTLs, coalescing (property test against a reference Map), sync
 * barriers and group commit, and the refusal to open directories it should not touch.
 */
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { PersistedEntry } from '../../src/core/persistence.ts';
import { encodeKey, encodeValue } from '../../src/persistence/codec.ts';
import { DB_DIR, FORMAT_FILE } from '../../src/persistence/layout.ts';
import {
  openRocksPersistence,
  type RocksPersistence,
  type RocksPersistenceOptions,
} from '../../src/persistence/rocks-persistence.ts';
import { createRocksDb } from '../../src/persistence/rocksdb.ts';
import { createSystemClock, ManualClock } from '../../src/util/clock.ts';

let root: string;
const opened: RocksPersistence[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlcache-persist-'));
});

afterEach(async () => {
  for (const persistence of opened.splice(0)) await persistence.close().catch(() => {});
  await rm(root, { recursive: true, force: true });
});

async function open(
  dir: string,
  options: Partial<RocksPersistenceOptions> = {},
): Promise<RocksPersistence> {
  const persistence = await openRocksPersistence({
    dir,
    durability: 'sync',
    clock: createSystemClock(),
    ...options,
  });
  opened.push(persistence);
  return persistence;
}

async function loadAll(persistence: RocksPersistence): Promise<Map<string, PersistedEntry>> {
  const entries = new Map<string, PersistedEntry>();
  await persistence.load((entry) => entries.set(entry.key, entry));
  return entries;
}

/** Reopens `dir` and returns what it holds as key -> value text. */
async function contents(dir: string, clock = createSystemClock()): Promise<Map<string, string>> {
  const persistence = await open(dir, { clock });
  const entries = await loadAll(persistence);
  await persistence.close();
  return new Map([...entries].map(([key, entry]) => [key, entry.value.toString('latin1')]));
}

/** Every file under `dir` with a hash of its bytes, to prove a refused open changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (path: string, name: string): void => {
    if (statSync(path).isDirectory()) {
      for (const child of readdirSync(path)) walk(join(path, child), `${name}/${child}`);
    } else {
      result[name] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir, '.');
  return result;
}

const v = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('round trip', () => {
  it('keeps puts, deletes, clears and expiries across close and reopen', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const dir = join(root, 'data');
    const first = await open(dir, { clock });
    expect((await first.load(() => {})).loaded).toBe(0);
    first.put('dropped by clear', v('x'), 0);
    first.clear();
    first.put('plain', v('1'), 0);
    first.put('binary \u0000\u00ff', Buffer.from([0, 255, 10]), 0);
    first.put('', v('empty key'), 0);
    first.put('ttl', v('2'), clock.now() + 60_000);
    first.put('deleted', v('3'), 0);
    first.delete('deleted');
    await first.barrier();
    await first.close();

    const second = await open(dir, { clock });
    const entries = await loadAll(second);
    expect([...entries.keys()].sort()).toEqual(['', 'binary \u0000\u00ff', 'plain', 'ttl']);
    expect(entries.get('binary \u0000\u00ff')!.value).toEqual(Buffer.from([0, 255, 10]));
    expect(entries.get('ttl')!.expireAt).toBe(clock.now() + 60_000);
    expect(entries.get('plain')!.expireAt).toBe(0);
  });

  it('keeps a clear ordered before the puts that follow it in later batches', async () => {
    const dir = join(root, 'data');
    const persistence = await open(dir);
    await persistence.load(() => {});
    persistence.put('a', v('1'), 0);
    await persistence.barrier();
    persistence.clear();
    persistence.put('b', v('2'), 0);
    await persistence.barrier();
    persistence.clear();
    await persistence.barrier();
    persistence.put('c', v('3'), 0);
    await persistence.close();
    expect(await contents(dir)).toEqual(new Map([['c', '3']]));
  });

  it('writes async-mode changes on close', async () => {
    const dir = join(root, 'data');
    const persistence = await open(dir, { durability: 'async', flushIntervalMs: 60_000 });
    await persistence.load(() => {});
    persistence.put('k', v('v'), 0);
    expect(persistence.barrier()).toBeUndefined();
    expect(persistence.backlog).toBe(1);
    await persistence.close();
    expect(await contents(dir)).toEqual(new Map([['k', 'v']]));
  });

  it('skips entries that expired while the node was down, and deletes them', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const dir = join(root, 'data');
    const first = await open(dir, { clock });
    await first.load(() => {});
    first.put('short', v('1'), clock.now() + 1000);
    first.put('long', v('2'), clock.now() + 100_000);
    first.put('forever', v('3'), 0);
    await first.close();

    clock.advance(5000);
    const second = await open(dir, { clock });
    const entries = new Map<string, PersistedEntry>();
    const report = await second.load((entry) => entries.set(entry.key, entry));
    expect(report).toMatchObject({ loaded: 2, expired: 1, malformed: 0 });
    expect([...entries.keys()].sort()).toEqual(['forever', 'long']);
    await second.close();

    // Deleted, not merely skipped: even with the clock turned back it is gone.
    expect(await contents(dir, new ManualClock(1_700_000_000_000))).toEqual(
      new Map([
        ['long', '2'],
        ['forever', '3'],
      ]),
    );
  });

  it('reproduces the reference map after any sequence of puts, deletes and clears', async () => {
    type Op =
      | [kind: 'put', key: string, value: string]
      | [kind: 'delete', key: string]
      | [kind: 'clear']
      | [kind: 'barrier'];
    const key = fc.constantFrom('a', 'b', 'c', '', '\u00ff\u0000');
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.tuple(fc.constant('put' as const), key, fc.string({ maxLength: 8 })),
      },
      { weight: 3, arbitrary: fc.tuple(fc.constant('delete' as const), key) },
      { weight: 1, arbitrary: fc.tuple(fc.constant('clear' as const)) },
      { weight: 2, arbitrary: fc.tuple(fc.constant('barrier' as const)) },
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 40 }),
        fc.constantFrom('sync' as const, 'async' as const),
        async (ops, durability) => {
          const dir = join(root, `prop-${run++}`);
          const reference = new Map<string, string>();
          const persistence = await open(dir, { durability, flushIntervalMs: 1 });
          await persistence.load(() => {});
          for (const [kind, k, value] of ops) {
            if (kind === 'put') {
              persistence.put(k, v(value), 0);
              reference.set(k, value);
            } else if (kind === 'delete') {
              persistence.delete(k);
              reference.delete(k);
            } else if (kind === 'clear') {
              persistence.clear();
              reference.clear();
            } else {
              await (persistence.barrier() ?? new Promise((resolve) => setTimeout(resolve, 2)));
            }
          }
          await persistence.close();
          expect(await contents(dir)).toEqual(reference);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe('sync mode and group commit', () => {
  it('has the change on disk when the barrier settles', async () => {
    const dir = join(root, 'data');
    const persistence = await open(dir);
    await persistence.load(() => {});
    for (let i = 0; i < 5; i++) {
      persistence.put(`k${i}`, v(`v${i}`), 0);
      await persistence.barrier();
      // Copy the live directory right away: the copy is what a crash at this instant leaves.
      const copy = join(root, `copy-${i}`);
      cpSync(dir, copy, { recursive: true, filter: (source) => !source.endsWith('LOCK') });
      const recovered = await contents(copy);
      expect(recovered.get(`k${i}`)).toBe(`v${i}`);
    }
  });

  it('shares fsyncs among concurrent writers', async () => {
    const dir = join(root, 'data');
    const persistence = await open(dir);
    await persistence.load(() => {});

    // 1000 writes in one turn: one batch, one fsync.
    const barriers: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) {
      persistence.put(`burst${i}`, v('x'.repeat(100)), 0);
      barriers.push(persistence.barrier()!);
    }
    await Promise.all(barriers);
    expect(persistence.syncedBatches).toBe(1);

    // 100 clients, each writing 50 keys one after another (write, await, write, ...).
    const before = persistence.syncedBatches;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 100 }, async (_, client) => {
        for (let i = 0; i < 50; i++) {
          persistence.put(`c${client}:${i}`, v('y'.repeat(100)), 0);
          await persistence.barrier();
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const fsyncs = persistence.syncedBatches - before;
    console.log(
      `group commit: 5000 acknowledged sync writes from 100 clients in ${seconds.toFixed(2)} s ` +
        `(${Math.round(5000 / seconds)} writes/s), ${fsyncs} fsyncs (${((fsyncs / 5000) * 1000).toFixed(1)} per 1000 writes)`,
    );
    expect(fsyncs).toBeLessThan(5000 / 10);
    expect(persistence.writeLatency.count).toBe(persistence.batchesWritten);
    await persistence.close();
    expect((await contents(dir)).size).toBe(6000);
  });
});

describe('directories it must not touch', () => {
  async function populated(): Promise<string> {
    const dir = join(root, 'data');
    const persistence = await open(dir);
    await persistence.load(() => {});
    persistence.put('precious', v('data'), 0);
    await persistence.close();
    return dir;
  }

  it('refuses a database with a corrupt CURRENT file and leaves every file as it was', async () => {
    const dir = await populated();
    await writeFile(join(dir, DB_DIR, 'CURRENT'), 'garbage\n');
    const before = snapshot(dir);
    const failure = open(dir);
    await expect(failure).rejects.toMatchObject({ code: 'PERSIST_E_CORRUPT' });
    await expect(failure).rejects.toThrow(join(dir, DB_DIR));
    await expect(failure).rejects.toThrow(/changed nothing/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a database whose RocksDB files are gone but the directory is not empty', async () => {
    const dir = await populated();
    await rm(join(dir, DB_DIR, 'CURRENT'));
    const before = snapshot(dir);
    await expect(open(dir)).rejects.toMatchObject({ code: 'PERSIST_E_CORRUPT' });
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses another format version and a missing marker, leaving the files alone', async () => {
    const dir = await populated();
    await writeFile(join(dir, FORMAT_FILE), 'mlcache-format 7\n');
    let before = snapshot(dir);
    await expect(open(dir)).rejects.toMatchObject({ code: 'PERSIST_E_VERSION' });
    expect(snapshot(dir)).toEqual(before);

    await rm(join(dir, FORMAT_FILE));
    before = snapshot(dir);
    await expect(open(dir)).rejects.toMatchObject({ code: 'PERSIST_E_FORMAT' });
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a directory another node has open', async () => {
    const dir = await populated();
    const first = await open(dir);
    await expect(open(dir)).rejects.toMatchObject({ code: 'PERSIST_E_LOCKED' });
    await first.close();
  });

  it('refuses to start on malformed entries by default, and can skip them', async () => {
    const dir = await populated();
    const db = createRocksDb(join(dir, DB_DIR));
    await db.open();
    await db
      .batch()
      .put(encodeKey('bad'), Buffer.from('not an entry'))
      .put(encodeKey('good'), encodeValue(v('ok'), 0))
      .write({ sync: true });
    await db.close();

    const refusing = await open(dir);
    const failure = refusing.load(() => {});
    await expect(failure).rejects.toMatchObject({ code: 'PERSIST_E_CORRUPT' });
    await expect(failure).rejects.toThrow(/1 entries .* key "bad"/);
    await refusing.close();

    const skipping = await open(dir, { malformed: 'skip' });
    const entries = new Map<string, PersistedEntry>();
    const report = await skipping.load((entry) => entries.set(entry.key, entry));
    expect(report).toMatchObject({ loaded: 2, malformed: 1, firstMalformedKey: 'bad' });
    expect([...entries.keys()].sort()).toEqual(['good', 'precious']);
    await skipping.close();

    // Skipped entries are left in place, not deleted.
    const again = await open(dir, { malformed: 'skip' });
    expect((await again.load(() => {})).malformed).toBe(1);
  });
});

describe('reload speed', () => {
  it('streams 200k entries of 100 bytes', async () => {
    const dir = join(root, 'data');
    const count = 200_000;
    const writer = await open(dir, { durability: 'async' });
    await writer.load(() => {});
    const value = v('z'.repeat(100));
    for (let i = 0; i < count; i++) writer.put(`key:${i}`, value, 0);
    await writer.close();

    const reader = await open(dir);
    const keys = new Set<string>();
    const report = await reader.load((entry) => keys.add(entry.key));
    expect(keys.size).toBe(count);
    console.log(
      `reload: ${count} entries in ${report.durationMs.toFixed(0)} ms (${Math.round(count / (report.durationMs / 1000))} entries/s)`,
    );
  });
});
