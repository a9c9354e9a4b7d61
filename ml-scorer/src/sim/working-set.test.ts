import { describe, expect, it } from 'vitest';
import { batchFromRequests } from '../data/request-batch.ts';
import { summarizeTrace } from './working-set.ts';

describe('summarizeTrace', () => {
  it('counts unique objects and their bytes at the size first seen', async () => {
    const batch = batchFromRequests([
      { key: 1, size: 10 },
      { key: 2, size: 5 },
      { key: 1, size: 99 },
    ]);
    expect(await summarizeTrace([batch])).toEqual({
      requests: 3,
      uniqueObjects: 2,
      uniqueBytes: 15,
    });
  });
});
