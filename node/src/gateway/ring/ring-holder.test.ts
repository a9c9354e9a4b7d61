import { describe, expect, it } from 'vitest';
import type { Ring } from '../../cluster/ring.ts';
import { serializeRingDocument } from '../../cluster/ring-document.ts';
import { ringNode, ringOf } from '../../cluster/test-rings.ts';
import { createLogger } from '../../util/logger.ts';
import { ManualClock } from '../../util/clock.ts';
import { RingHolder } from './ring-holder.ts';

const ring = (epoch: number, ids = ['a', 'b']): Ring =>
  ringOf({ epoch, nodes: ids.map((id) => ringNode(id)) });

describe('RingHolder', () => {
  it('applies newer epochs, ignores the same ring, and refuses the rest with a reason', () => {
    const lines: string[] = [];
    const applied: number[] = [];
    const holder = new RingHolder(
      (r) => applied.push(r.epoch),
      createLogger({ clock: new ManualClock(), write: (line) => lines.push(line) }),
    );
    expect(holder.offer(ring(2), 'test').kind).toBe('applied');
    expect(holder.offerText(serializeRingDocument(ring(2)), 'test').kind).toBe('same');
    expect(holder.offer(ring(1), 'test')).toMatchObject({
      kind: 'rejected',
      reason: 'stale-epoch',
    });
    expect(holder.offer(ring(2, ['a']), 'test')).toMatchObject({
      kind: 'rejected',
      reason: 'conflict-same-epoch',
    });
    expect(holder.offerText('{', 'test')).toMatchObject({ kind: 'rejected', reason: 'invalid' });
    expect(holder.offer(ring(3, ['c']), 'test').kind).toBe('applied');
    expect(applied).toEqual([2, 3]);
    expect(Object.fromEntries(holder.rejected)).toMatchObject({
      'stale-epoch': 1,
      'conflict-same-epoch': 1,
      invalid: 1,
    });
    expect(lines.filter((line) => line.includes('ring refused'))).toHaveLength(3);
    expect(holder.ring?.epoch).toBe(3);
  });
});
