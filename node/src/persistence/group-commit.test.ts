import { describe, expect, it, vi } from 'vitest';

import { ManualClock } from '../util/clock.ts';
import type { ChangeBatch } from './change-batch.ts';
import { PersistenceError } from './errors.ts';
import { type BatchWriter, GroupCommit } from './group-commit.ts';

/** A writer whose writes complete when the test says so, applying batches to a Map. */
class FakeWriter implements BatchWriter {
  readonly state = new Map<string, string>();
  readonly writes: { batch: ChangeBatch; sync: boolean }[] = [];
  readonly #open: { batch: ChangeBatch; resolve: () => void; reject: (error: Error) => void }[] =
    [];
  /** While set, writes fail with this error. */
  failure: Error | undefined;
  recoveries = 0;
  recoverFailure: Error | undefined;

  get inFlight(): number {
    return this.#open.length;
  }

  write(batch: ChangeBatch, sync: boolean): Promise<void> {
    this.writes.push({ batch, sync });
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#open.push({ batch, resolve, reject });
    return promise;
  }

  /** Completes the oldest open write: applies it, or fails it when `failure` is set. */
  complete(): void {
    const write = this.#open.shift();
    if (write === undefined) throw new Error('no write in flight');
    if (this.failure !== undefined) return write.reject(this.failure);
    if (write.batch.cleared) this.state.clear();
    for (const [key, change] of write.batch.changes) {
      if (change === null) this.state.delete(key);
      else this.state.set(key, change.value.toString());
    }
    write.resolve();
  }

  recover(): Promise<void> {
    this.recoveries++;
    return this.recoverFailure === undefined
      ? Promise.resolve()
      : Promise.reject(this.recoverFailure);
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lets writes complete and timers fire until the writer has nothing in flight. */
async function settle(writer: FakeWriter): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await turn();
    while (writer.inFlight > 0) {
      writer.complete();
      await turn();
    }
  }
}

function setup(durability: 'async' | 'sync', extra: { maxBatch?: number } = {}) {
  const writer = new FakeWriter();
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn(), child: vi.fn() };
  const commit = new GroupCommit({
    writer,
    durability,
    clock: new ManualClock(),
    logger,
    where: '/data',
    flushIntervalMs: 1,
    retryIntervalMs: 5,
    ...extra,
  });
  return { writer, logger, commit };
}

const v = (text: string): Buffer => Buffer.from(text);

describe('GroupCommit in sync mode', () => {
  it('settles a barrier only once the write containing its change has completed', async () => {
    const { writer, commit } = setup('sync');
    commit.put('k', v('1'), 0);
    let settled = false;
    void commit.barrier()!.then(() => (settled = true));
    await turn();
    expect(writer.writes).toHaveLength(1);
    expect(writer.writes[0]!.sync).toBe(true);
    await turn();
    expect(settled).toBe(false);
    writer.complete();
    await turn();
    expect(settled).toBe(true);
    expect(writer.state.get('k')).toBe('1');
  });

  it('shares one synced write among all the barriers of a turn', async () => {
    const { writer, commit } = setup('sync');
    const barriers: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) {
      commit.put(`k${i}`, v(String(i)), 0);
      barriers.push(commit.barrier()!);
    }
    await turn();
    expect(writer.writes).toHaveLength(1);
    writer.complete();
    await Promise.all(barriers);
    expect(commit.syncedBatches).toBe(1);
    expect(writer.state.size).toBe(1000);
  });

  it('keeps one write in flight and batches everything that arrives meanwhile', async () => {
    const { writer, commit } = setup('sync');
    commit.put('a', v('1'), 0);
    const first = commit.barrier();
    await turn();
    commit.put('b', v('2'), 0);
    const second = commit.barrier();
    commit.put('b', v('3'), 0);
    commit.delete('a');
    const third = commit.barrier();
    await turn();
    expect(writer.writes).toHaveLength(1);
    expect(second).toBe(third);
    writer.complete();
    await first;
    expect(writer.writes).toHaveLength(2);
    expect([...writer.writes[1]!.batch.changes.keys()].sort()).toEqual(['a', 'b']);
    writer.complete();
    await third;
    expect([...writer.state]).toEqual([['b', '3']]);
  });

  it('resolves at once when nothing is pending, and waits for an in-flight write otherwise', async () => {
    const { writer, commit } = setup('sync');
    await commit.barrier();
    commit.put('a', v('1'), 0);
    await new Promise((resolve) => setTimeout(resolve, 5)); // the interval starts a write nobody awaits
    expect(writer.inFlight).toBe(1);
    let settled = false;
    void commit.barrier()!.then(() => (settled = true));
    await turn();
    expect(settled).toBe(false);
    writer.complete();
    await turn();
    expect(settled).toBe(true);
  });

  it('on a failed write rejects the barriers, refuses writes, and recovers with the changes kept', async () => {
    const { writer, commit, logger } = setup('sync');
    commit.put('a', v('1'), 0);
    const failed = commit.barrier();
    await turn();
    commit.put('b', v('2'), 0);
    const pending = commit.barrier();
    writer.failure = new Error('No space left on device');
    writer.complete();
    await expect(failed).rejects.toMatchObject({ code: 'PERSIST_E_WRITE' });
    await expect(pending).rejects.toBeInstanceOf(PersistenceError);
    expect(commit.writable).toBe(false);
    expect(commit.writeErrors).toBe(1);
    await expect(commit.barrier()).rejects.toMatchObject({ code: 'PERSIST_E_WRITE' });

    // Retries keep failing: counted, logged once.
    await new Promise((resolve) => setTimeout(resolve, 8));
    expect(writer.recoveries).toBeGreaterThanOrEqual(1);
    writer.complete();
    await turn();
    expect(commit.writeErrors).toBe(2);
    expect(logger.error).toHaveBeenCalledTimes(1);

    writer.failure = undefined;
    await vi.waitFor(() => {
      if (writer.inFlight > 0) writer.complete();
      expect(commit.writable).toBe(true);
    });
    expect([...writer.state].sort()).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringContaining('succeed again'),
      expect.anything(),
    );
    commit.put('c', v('3'), 0);
    const after = commit.barrier();
    await settle(writer);
    await after;
    expect(writer.state.get('c')).toBe('3');
  });

  it('counts failed reopen attempts and keeps retrying', async () => {
    const { writer, commit } = setup('sync');
    commit.put('a', v('1'), 0);
    const barrier = commit.barrier();
    await turn();
    writer.failure = new Error('I/O error');
    writer.recoverFailure = new Error('still broken');
    writer.complete();
    await expect(barrier).rejects.toThrow();
    await vi.waitFor(() => expect(writer.recoveries).toBeGreaterThanOrEqual(2));
    expect(commit.writeErrors).toBeGreaterThanOrEqual(2);
    writer.failure = undefined;
    writer.recoverFailure = undefined;
    await vi.waitFor(() => {
      if (writer.inFlight > 0) writer.complete();
      expect(commit.writable).toBe(true);
    });
    expect(writer.state.get('a')).toBe('1');
  });
});

describe('GroupCommit in async mode', () => {
  it('returns no barrier and writes unsynced after the interval', async () => {
    const { writer, commit } = setup('async');
    commit.put('a', v('1'), 0);
    expect(commit.barrier()).toBeUndefined();
    expect(commit.backlog).toBe(1);
    await vi.waitFor(() => expect(writer.writes).toHaveLength(1));
    expect(writer.writes[0]!.sync).toBe(false);
    writer.complete();
    await turn();
    expect(commit.backlog).toBe(0);
    expect(commit.writeLatency.count).toBe(1);
  });

  it('writes a batch whose interval ran out during the previous write as soon as that ends', async () => {
    const { writer, commit } = setup('async');
    commit.put('a', v('1'), 0);
    await vi.waitFor(() => expect(writer.inFlight).toBe(1));
    commit.put('b', v('2'), 0);
    await new Promise((resolve) => setTimeout(resolve, 10)); // b's interval runs out meanwhile
    expect(writer.writes).toHaveLength(1);
    writer.complete();
    await turn();
    expect(writer.writes).toHaveLength(2);
  });

  it('writes a large batch without waiting for the interval', async () => {
    const { writer, commit } = setup('async', { maxBatch: 3 });
    for (const key of ['a', 'b', 'c']) commit.put(key, v(key), 0);
    await turn();
    expect(writer.writes).toHaveLength(1);
  });

  it('turns writable off on a failure and back on after a retry', async () => {
    const { writer, commit } = setup('async');
    writer.failure = new Error('disk full');
    commit.put('a', v('1'), 0);
    await vi.waitFor(() => expect(writer.inFlight).toBe(1));
    writer.complete();
    await turn();
    expect(commit.writable).toBe(false);
    writer.failure = undefined;
    await vi.waitFor(() => {
      if (writer.inFlight > 0) writer.complete();
      expect(commit.writable).toBe(true);
    });
    expect(writer.state.get('a')).toBe('1');
  });
});

describe('GroupCommit.drain', () => {
  it('writes what is pending, synced even in async mode, then drops later changes', async () => {
    const { writer, commit, logger } = setup('async');
    commit.put('a', v('1'), 0);
    const drained = commit.drain();
    await vi.waitFor(() => expect(writer.inFlight).toBe(1));
    writer.complete();
    await drained;
    expect(writer.writes.at(-1)!.sync).toBe(true);
    expect(writer.state.get('a')).toBe('1');
    expect(commit.writable).toBe(false);
    commit.put('late', v('x'), 0);
    commit.put('later', v('y'), 0);
    expect(commit.backlog).toBe(0);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    await expect(commit.drain()).resolves.toBeUndefined();
  });

  it('waits for the write in flight and includes changes made meanwhile', async () => {
    const { writer, commit } = setup('sync');
    commit.put('a', v('1'), 0);
    const barrier = commit.barrier();
    await turn();
    const drained = commit.drain();
    commit.put('b', v('2'), 0);
    writer.complete();
    await barrier;
    await vi.waitFor(() => expect(writer.inFlight).toBe(1));
    writer.complete();
    await drained;
    expect(writer.state.get('b')).toBe('2');
    await expect(commit.barrier()).rejects.toMatchObject({ code: 'PERSIST_E_CLOSED' });
  });

  it('rejects when the final write fails, saying how many changes are lost', async () => {
    const { writer, commit } = setup('async');
    commit.put('a', v('1'), 0);
    writer.failure = new Error('disk full');
    const drained = commit.drain();
    await vi.waitFor(() => expect(writer.inFlight).toBe(1));
    writer.complete();
    await expect(drained).rejects.toThrow(/1 changes could not be written/);
  });
});
