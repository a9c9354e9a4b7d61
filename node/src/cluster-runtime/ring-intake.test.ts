import { describe, expect, it } from 'vitest';
import type { Ring } from '../cluster/ring.ts';
import { serializeRingDocument } from '../cluster/ring-document.ts';
import { ringNode, ringOf } from '../cluster/test-rings.ts';
import { createLogger } from '../util/logger.ts';
import { ManualClock } from '../util/clock.ts';
import { RingIntake } from './ring-intake.ts';

function intake(nodeId = 'a') {
  const lines: string[] = [];
  let current: Ring | undefined;
  const applied: number[] = [];
  const logger = createLogger({ clock: new ManualClock(), write: (line) => lines.push(line) });
  const rings = new RingIntake({
    apply: (ring) => {
      current = ring;
      applied.push(ring.epoch);
    },
    current: () => current,
    nodeId,
    logger,
  });
  return { rings, lines, applied };
}

const ring = (epoch: number, ids = ['a', 'b']) =>
  ringOf({ epoch, shardCount: 16, nodes: ids.map((id) => ringNode(id)) });

describe('RingIntake', () => {
  it('applies newer rings and ignores the same one again', () => {
    const { rings, applied } = intake();
    expect(rings.offer(serializeRingDocument(ring(1)), 'file')).toEqual({
      outcome: 'applied',
      epoch: 1,
    });
    expect(rings.offer(serializeRingDocument(ring(1)), 'file').outcome).toBe('same');
    expect(rings.offer(serializeRingDocument(ring(2)), 'admin').outcome).toBe('applied');
    expect(applied).toEqual([1, 2]);
    expect(rings.rejected.size).toBe(0);
  });

  it('refuses malformed, stale and conflicting documents with a reason, keeping the last good ring', () => {
    const { rings, lines, applied } = intake();
    rings.offer(serializeRingDocument(ring(5)), 'file');
    expect(rings.offer('{"epoch": 6', 'file')).toMatchObject({
      outcome: 'rejected',
      reason: 'malformed',
    });
    expect(rings.offer(serializeRingDocument(ring(4)), 'file')).toMatchObject({
      outcome: 'rejected',
      reason: 'stale-epoch',
    });
    expect(rings.offer(serializeRingDocument(ring(5, ['a', 'c'])), 'admin')).toMatchObject({
      outcome: 'rejected',
      reason: 'conflict-same-epoch',
    });
    expect(applied).toEqual([5]);
    expect([...rings.rejected]).toEqual([
      ['malformed', 1],
      ['stale-epoch', 1],
      ['conflict-same-epoch', 1],
    ]);
    const refusals = lines.filter((line) => line.includes('ring refused'));
    expect(refusals).toHaveLength(3);
    expect(refusals[1]).toContain('offered epoch 4, current 5');
  });

  it('applies a ring that does not list this node, with a warning', () => {
    const { rings, lines } = intake('zz');
    expect(rings.offer(serializeRingDocument(ring(1)), 'file').outcome).toBe('applied');
    expect(lines.some((line) => line.includes('does not list this node'))).toBe(true);
  });
});
