import { describe, expect, it } from 'vitest';
import { batchFromRequests } from '../data/request-batch.ts';
import { batchesOf, computeNextAccess, materializeTrace } from './materialized-trace.ts';

describe('materializeTrace', () => {
  it('computes next-access times by a reverse pass', () => {
    expect([...computeNextAccess(Float64Array.from([1, 2, 1, 3, 2, 1]))]).toEqual([
      2, 4, 5, -1, -1, -1,
    ]);
  });

  it('joins batches and cuts them again without losing TTLs', async () => {
    const first = batchFromRequests([1, 2, 3]);
    const second = batchFromRequests([{ key: 1, timestamp: 10, ttl: 5 }, 2]);
    const trace = await materializeTrace([first, second]);
    expect(trace.length).toBe(5);
    expect([...trace.nextAccess]).toEqual([3, 4, -1, -1, -1]);
    expect([...trace.ttls!]).toEqual([0, 0, 0, 5, 0]);
    const batches = [...batchesOf(trace, 2)];
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect([...batches[1]!.timestamps]).toEqual([2, 10]);
  });

  it('keeps next-access times that the source already has', async () => {
    const batch = { ...batchFromRequests([7, 7]), nextAccess: Float64Array.from([1, -1]) };
    expect([...(await materializeTrace([batch])).nextAccess]).toEqual([1, -1]);
  });
});
