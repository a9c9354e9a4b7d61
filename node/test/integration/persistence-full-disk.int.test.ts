/**
 * A real full disk: the data directory lives on a small tmpfs (mounting needs root; the test is
 * skipped otherwise). A failed write must reject the barriers of the writes it carried, turn
 * `writable` off and count the error; once space is freed a retry must succeed, bring `writable`
 * back, and write the changes that failed, so nothing the store holds is lost.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { openRocksPersistence } from '../../src/persistence/rocks-persistence.ts';
import { createSystemClock } from '../../src/util/clock.ts';
import type { Logger } from '../../src/util/logger.ts';

let root: string;
let mount: string | undefined;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlcache-full-disk-'));
  const target = join(root, 'mnt');
  await mkdir(target);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', target], { stdio: 'ignore' });
    mount = target;
  } catch {
    mount = undefined;
  }
});

afterAll(async () => {
  if (mount !== undefined) {
    try {
      execFileSync('umount', [mount], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
    }
  }
  await rm(root, { recursive: true, force: true });
});

describe('a full disk', () => {
  it('refuses writes while the disk is full and recovers every change once space is freed', async (context) => {
    if (mount === undefined) return context.skip('cannot mount a tmpfs here (needs root)');
    const dir = join(mount, 'data');
    const errors: string[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (msg) => errors.push(msg),
      child: () => logger,
    };
    const persistence = await openRocksPersistence({
      dir,
      durability: 'sync',
      clock: createSystemClock(),
      logger,
      retryIntervalMs: 50,
    });
    await persistence.load(() => {});
    // Leave ~1 MiB free (incompressible values: the WAL is compressed).
    const filler = join(mount, 'filler');
    await writeFile(filler, Buffer.alloc(2.5 * 1024 * 1024));

    const expected = new Map<string, Buffer>();
    let failure: unknown;
    for (let i = 0; i < 10_000 && failure === undefined; i++) {
      const key = `key:${i}`;
      const value = randomBytes(2000);
      persistence.put(key, value, 0);
      expected.set(key, value); // the store holds it whether or not the write succeeds
      try {
        await persistence.barrier();
      } catch (error) {
        failure = error;
      }
    }
    expect(failure).toMatchObject({ code: 'PERSIST_E_WRITE' });
    expect(String(failure)).toMatch(/No space left/);
    expect(persistence.writable).toBe(false);
    expect(persistence.writeErrors).toBeGreaterThanOrEqual(1);
    await expect(persistence.barrier()).rejects.toMatchObject({ code: 'PERSIST_E_WRITE' });
    // Deletions from expiry or eviction still reach persistence while writes are refused.
    persistence.delete('key:0');
    expected.delete('key:0');

    // Still full: retries fail, are counted, and are not logged again.
    await vi.waitFor(() => expect(persistence.writeErrors).toBeGreaterThanOrEqual(3), {
      timeout: 5000,
    });
    expect(persistence.writable).toBe(false);
    expect(errors).toHaveLength(1);

    await rm(filler);
    await vi.waitFor(() => expect(persistence.writable).toBe(true), { timeout: 5000 });
    persistence.put('after', Buffer.from('recovered'), 0);
    expected.set('after', Buffer.from('recovered'));
    await persistence.barrier();
    await persistence.close();

    const reopened = await openRocksPersistence({
      dir,
      durability: 'sync',
      clock: createSystemClock(),
    });
    const found = new Map<string, Buffer>();
    await reopened.load((entry) => found.set(entry.key, entry.value));
    await reopened.close();
    expect(found.size).toBe(expected.size);
    for (const [key, value] of expected) expect(found.get(key), key).toEqual(value);
  });
});
