import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResolvedLabel } from './online-labeler.ts';
import { capLabel, OnlineLabeler, RowWindow } from './online-labeler.ts';

const F = 3;
const row = (v: number) => Float32Array.of(v, v + 1, v + 2);

function labeler(onLabel?: (l: ResolvedLabel) => void, maxPending = 1000) {
  return new OnlineLabeler({
    nFeatures: F,
    maxPending,
    windowRows: 100,
    validationRows: 10,
    validationEvery: 0,
    ...(onLabel === undefined ? {} : { onLabel }),
  });
}

type Event =
  | { kind: 'request'; key: number }
  | { kind: 'dead'; key: number }
  | { kind: 'sample'; key: number; cap: number };

describe('OnlineLabeler', () => {
  it('labels with log1p(gap) at the next request, and with the cap once the cap passes', () => {
    const labels: ResolvedLabel[] = [];
    const l = labeler((x) => labels.push(x));
    l.record(7, 10, 100, row(1), 0);
    l.record(8, 10, 100, row(2), 0);
    l.advance(40);
    l.access(7, 40);
    expect(labels).toEqual([
      { keyId: 7, sampledAt: 10, resolvedAt: 40, gap: 30, cap: 100, label: Math.log1p(30) },
    ]);
    l.advance(109);
    expect(labels.length).toBe(1);
    l.advance(110);
    expect(labels[1]).toMatchObject({ keyId: 8, resolvedAt: 110, gap: Infinity });
    expect(labels[1]!.label).toBe(Math.log1p(100));
    expect(l.training.size).toBe(2);
    expect(Array.from(l.training.rows.subarray(0, 6))).toEqual([1, 2, 3, 2, 3, 4]);
  });

  it('gives a key that expired or was deleted the cap’s label at once (TTL first)', () => {
    const labels: ResolvedLabel[] = [];
    const l = labeler((x) => labels.push(x));
    l.record(5, 0, 1000, row(0), 0);
    l.dead(5, 3);
    l.access(5, 4);
    expect(labels).toHaveLength(1);
    expect(labels[0]).toMatchObject({ resolvedAt: 3, gap: Infinity, label: Math.log1p(1000) });
  });

  it('keeps one pending sample per key and drops samples when the ring is full', () => {
    const l = labeler(undefined, 2);
    expect(l.record(1, 0, 10, row(0), 0)).toBe(true);
    expect(l.record(1, 1, 10, row(0), 0)).toBe(false);
    expect(l.record(2, 1, 10, row(0), 0)).toBe(true);
    expect(l.record(3, 1, 10, row(0), 0)).toBe(false);
    expect(l.dropped).toBe(2);
    l.access(1, 2);
    l.advance(2);
    expect(l.record(3, 2, 10, row(0), 0)).toBe(true);
  });

  it('holds every n-th label out for validation', () => {
    const l = new OnlineLabeler({
      nFeatures: F,
      maxPending: 100,
      windowRows: 100,
      validationRows: 100,
      validationEvery: 4,
    });
    for (let k = 0; k < 20; k++) l.record(k, k, 1000, row(k), 0);
    for (let k = 0; k < 20; k++) l.access(k, 100 + k);
    expect(l.validation.size).toBe(5);
    expect(l.training.size).toBe(15);
  });

  it('never writes a label that uses a request after its resolution time (property)', () => {
    const event = fc.oneof(
      {
        weight: 10,
        arbitrary: fc.record({ kind: fc.constant('request' as const), key: fc.nat(12) }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('dead' as const), key: fc.nat(12) }) },
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('sample' as const),
          key: fc.nat(12),
          cap: fc.integer({ min: 1, max: 40 }),
        }),
      },
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 300 }), (events: Event[]) => {
        const labels: { l: ResolvedLabel; writtenAt: number }[] = [];
        let now = 0;
        const l = labeler((x) => labels.push({ l: x, writtenAt: now }));
        // The full history, for checking afterwards: request and death times per key.
        const requests = new Map<number, number[]>();
        const deaths = new Map<number, number[]>();
        for (const e of events) {
          now++;
          l.advance(now);
          if (e.kind === 'request') {
            l.access(e.key, now);
            requests.set(e.key, [...(requests.get(e.key) ?? []), now]);
          } else if (e.kind === 'dead') {
            l.dead(e.key, now);
            deaths.set(e.key, [...(deaths.get(e.key) ?? []), now]);
          } else {
            l.record(e.key, now, e.cap, row(0), 0);
          }
        }
        for (const { l: x, writtenAt } of labels) {
          // Written when it was resolved, never earlier than the information it uses.
          expect(x.resolvedAt).toBe(writtenAt);
          const next = (requests.get(x.keyId) ?? []).find((t) => t > x.sampledAt) ?? Infinity;
          const died = (deaths.get(x.keyId) ?? []).find((t) => t > x.sampledAt) ?? Infinity;
          const known = Math.min(next, died, x.sampledAt + x.cap);
          // Never resolved before the outcome was known: no label anticipates the future. (A
          // sample whose cap passed may wait behind an older one with a longer cap; its label
          // is the cap's either way.)
          expect(x.resolvedAt).toBeGreaterThanOrEqual(known);
          if (Number.isFinite(x.gap)) {
            // A gap is only ever measured at the key's first request after the sample.
            expect(x.sampledAt + x.gap).toBe(next);
            expect(next).toBeLessThanOrEqual(x.resolvedAt);
          }
          // The label is what the past at `known` says: the gap if the key came back first,
          // else the cap.
          const truth =
            next === known && next - x.sampledAt < x.cap ? next - x.sampledAt : Infinity;
          expect(x.label).toBe(capLabel(truth, x.cap));
          if (known === x.sampledAt + x.cap || known === died)
            expect(x.resolvedAt).toBeLessThanOrEqual(known + 40);
          else expect(x.resolvedAt).toBe(known);
        }
      }),
    );
  });
});

describe('RowWindow.since', () => {
  it('returns exactly the rows pushed after a mark, oldest first, at most the newest capacity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        (capacity, before, after) => {
          const window = new RowWindow(capacity, 2);
          const push = (i: number): void => window.push(Float32Array.of(i, -i), 0, i / 2);
          for (let i = 0; i < before; i++) push(i);
          const mark = window.written;
          for (let i = before; i < before + after; i++) push(i);
          const { rows, labels } = window.since(mark);
          const expected: number[] = [];
          for (let i = Math.max(before, before + after - capacity); i < before + after; i++) {
            expected.push(i);
          }
          expect(Array.from(labels)).toEqual(expected.map((i) => i / 2));
          expect(Array.from(rows)).toEqual(expected.flatMap((i) => [i, -i]));
        },
      ),
    );
  });
});
