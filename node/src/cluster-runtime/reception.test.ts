import { describe, expect, it } from 'vitest';
import type { ShardMigration } from '../cluster/ring.ts';
import { FETCHED_LIMIT, Reception } from './reception.ts';

const from = (id: string, startedEpoch: number): ShardMigration => ({
  shard: 7,
  from: id,
  to: 'me',
  startedEpoch,
});

describe('Reception: which keys are resolved here', () => {
  it('resolves present keys, tombstones and fetched keys, and nothing else, while pulling', () => {
    const reception = new Reception(7, 5, 'pulling', [from('a', 5)]);
    expect(reception.isResolved('k', true)).toBe(true);
    expect(reception.isResolved('k', false)).toBe(false);
    expect(reception.addTombstone('dead')).toBe(true);
    expect(reception.addTombstone('dead')).toBe(false);
    expect(reception.isResolved('dead', false)).toBe(true);
    reception.markFetched('missing');
    expect(reception.isResolved('missing', false)).toBe(true);
  });

  it('resolves nothing while purging and everything once done', () => {
    const purging = new Reception(7, 5, 'purging', [from('a', 5)]);
    expect(purging.isResolved('k', true)).toBe(false);
    purging.startPulling();
    expect(purging.state).toBe('pulling');
    expect(purging.markSourceDone('a', false, 1)).toBe(true);
    expect(purging.state).toBe('done');
    expect(purging.isResolved('anything', false)).toBe(true);
  });

  it('reads sources newest first, and skips older ones when a newer one was complete', () => {
    const reception = new Reception(7, 9, 'pulling', [
      from('old', 3),
      from('new', 9),
      from('mid', 6),
    ]);
    expect(reception.sources.map((s) => s.from)).toEqual(['new', 'mid', 'old']);
    expect(reception.currentSource()?.from).toBe('new');
    // `new` was itself still receiving the shard: `mid` must be read too.
    expect(reception.markSourceDone('new', false, 1)).toBe(false);
    expect(reception.currentSource()?.from).toBe('mid');
    expect(reception.pendingSources().map((s) => s.from)).toEqual(['mid', 'old']);
    // `mid` held it completely: `old` has nothing newer.
    expect(reception.markSourceDone('mid', true, 2)).toBe(true);
    expect(reception.sources.find((s) => s.from === 'old')).toMatchObject({
      state: 'done',
      skipped: true,
    });
    expect(reception.state).toBe('done');
  });

  it('keeps progress across rings and finishes when the sources are all gone or done', () => {
    const reception = new Reception(7, 9, 'pulling', [from('new', 9), from('old', 3)]);
    reception.markSourceDone('new', false, 1);
    expect(reception.syncSources([from('new', 9), from('old', 3)])).toBe(false);
    expect(reception.sources[0]!.state).toBe('done');
    expect(reception.syncSources([from('new', 9)])).toBe(true);
    expect(reception.state).toBe('done');
  });

  it('resumes from its record', () => {
    const original = new Reception(7, 9, 'pulling', [from('new', 9), from('old', 3)]);
    original.markSourceDone('new', false, 1);
    const record = original.record();
    expect(record).toEqual({ since: 9, state: 'pulling', done: ['new'] });
    const resumed = Reception.fromRecord(7, record, [from('new', 9), from('old', 3)]);
    expect(resumed.currentSource()?.from).toBe('old');
  });

  it('drops its resolution when done, handing back the tombstones to delete', () => {
    const reception = new Reception(7, 5, 'pulling', [from('a', 5)]);
    reception.addTombstone('x');
    reception.markFetched('y');
    expect(reception.dropResolution()).toEqual(['x']);
    expect(reception.isResolved('y', false)).toBe(false);
    expect(reception.tombstoneCount).toBe(0);
  });

  it('bounds the fetched keys it remembers', () => {
    const reception = new Reception(7, 5, 'pulling', [from('a', 5)]);
    for (let i = 0; i <= FETCHED_LIMIT; i++) reception.markFetched(`k${i}`);
    expect(reception.isResolved(`k${FETCHED_LIMIT - 1}`, false)).toBe(true);
    expect(reception.isResolved(`k${FETCHED_LIMIT}`, false)).toBe(false);
  });

  it('is over after a flush', () => {
    const reception = new Reception(7, 5, 'pulling', [from('a', 5)]);
    reception.flush(1);
    expect(reception.state).toBe('done');
    expect(reception.allSourcesDone()).toBe(true);
  });
});
