import { describe, expect, it } from 'vitest';

import { createNoEvictionPolicy } from './noeviction.ts';
import { findPolicy } from './registry.ts';

describe('noeviction policy', () => {
  it('never offers a victim', () => {
    const policy = createNoEvictionPolicy({ capacity: 10 });
    policy.onInsert(0, 1, 5);
    policy.onAccess(0);
    expect(policy.evict()).toBe(-1);
    expect(policy.candidates([], 10)).toBe(0);
  });

  it('is registered under its --policy name', () => {
    expect(findPolicy('noeviction')?.({ capacity: 1 }).name).toBe('noeviction');
  });
});
