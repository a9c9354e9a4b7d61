import { describe, expect, it } from 'vitest';

import { acceptRing, sameRing } from './accept-ring.ts';
import { parseRingDocument, serializeRingDocument } from './ring-document.ts';
import { ringNode, ringOf } from './test-rings.ts';

const nodes = [ringNode('a'), ringNode('b')];
const at = (epoch: number, extra: Partial<Parameters<typeof ringOf>[0]> = {}) =>
  ringOf({ epoch, shardCount: 16, nodes, ...extra });

describe('acceptRing', () => {
  it('takes the first ring and any higher epoch', () => {
    expect(acceptRing(undefined, at(0))).toEqual({ apply: true, reason: 'accepted' });
    expect(acceptRing(at(4), at(5))).toEqual({ apply: true, reason: 'accepted' });
    expect(acceptRing(at(4), at(40, { nodes: [ringNode('c')] }))).toEqual({
      apply: true,
      reason: 'accepted',
    });
  });

  it('ignores a lower epoch', () => {
    expect(acceptRing(at(5), at(4))).toEqual({ apply: false, reason: 'stale-epoch' });
  });

  it('treats the same epoch and content as a reload, even from a different object', () => {
    const ring = at(5, { overrides: new Map([[1, 'a']]) });
    const reloaded = parseRingDocument(serializeRingDocument(ring));
    expect(reloaded.ok).toBe(true);
    if (!reloaded.ok) return;
    expect(reloaded.ring).not.toBe(ring);
    expect(acceptRing(ring, reloaded.ring)).toEqual({ apply: false, reason: 'same' });
  });

  it('refuses a different ring under the same epoch', () => {
    const other = at(5, { overrides: new Map([[1, 'a']]) });
    expect(sameRing(at(5), other)).toBe(false);
    expect(acceptRing(at(5), other)).toEqual({ apply: false, reason: 'conflict-same-epoch' });
  });

  it('refuses a change of shard count', () => {
    expect(acceptRing(at(5), at(6, { shardCount: 32 }))).toEqual({
      apply: false,
      reason: 'shard-count-changed',
    });
  });
});
