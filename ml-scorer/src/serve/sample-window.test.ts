import { describe, expect, it } from 'vitest';
import { SampleWindow } from './sample-window.ts';

const rowsOf = (n: number, f: number, from = 0): Float32Array =>
  Float32Array.from({ length: n * f }, (_, i) => from + Math.floor(i / f));

describe('SampleWindow', () => {
  it('holds out every n-th row and keeps the newest rows of each window', () => {
    const w = new SampleWindow({
      nFeatures: 2,
      windowRows: 6,
      validationRows: 2,
      validationEvery: 4,
    });
    const labels = Float32Array.from({ length: 20 }, (_, i) => i);
    w.add(rowsOf(20, 2), labels, 20, 'lru');
    expect(w.received).toBe(20);
    // Rows 3, 7, 11, 15, 19 are held out; the newest two are 15 and 19.
    expect([...w.validation.snapshot().labels].sort((a, b) => a - b)).toEqual([15, 19]);
    // The training window has the newest six of the other fifteen.
    expect([...w.training.snapshot().labels].sort((a, b) => a - b)).toEqual([
      12, 13, 14, 16, 17, 18,
    ]);
    // A row's features travel with its label.
    const { rows, labels: held } = w.training.snapshot();
    for (let i = 0; i < held.length; i++) expect(rows[i * 2]).toBe(held[i]);
  });

  it('counts rows across calls when choosing the held-out ones', () => {
    const w = new SampleWindow({
      nFeatures: 1,
      windowRows: 100,
      validationRows: 100,
      validationEvery: 3,
    });
    for (let i = 0; i < 9; i++) w.add(Float32Array.of(i), Float32Array.of(i), 1, 'lfu');
    expect([...w.validation.snapshot().labels]).toEqual([2, 5, 8]);
  });

  it('remembers the base kinds that sent rows', () => {
    const w = new SampleWindow({
      nFeatures: 1,
      windowRows: 4,
      validationRows: 4,
      validationEvery: 0,
    });
    w.add(Float32Array.of(1), Float32Array.of(1), 1, 'lfu');
    w.add(Float32Array.of(1), Float32Array.of(1), 1, 'lru');
    w.add(Float32Array.of(1), Float32Array.of(1), 1, 'lfu');
    expect(w.bases).toEqual(['lfu', 'lru']);
    expect(w.validation.size).toBe(0);
  });

  it('gives a validation snapshot that later rows do not change', () => {
    const w = new SampleWindow({
      nFeatures: 1,
      windowRows: 4,
      validationRows: 2,
      validationEvery: 1,
    });
    w.add(Float32Array.of(1, 2), Float32Array.of(1, 2), 2, 'lru');
    const snapshot = w.validationSnapshot();
    w.add(Float32Array.of(3, 4), Float32Array.of(3, 4), 2, 'lru');
    expect([...snapshot.labels]).toEqual([1, 2]);
    expect(snapshot.size).toBe(2);
  });

  it('refuses buffers too short for n rows', () => {
    const w = new SampleWindow({
      nFeatures: 2,
      windowRows: 4,
      validationRows: 2,
      validationEvery: 0,
    });
    expect(() => w.add(new Float32Array(3), new Float32Array(2), 2, 'lru')).toThrow(RangeError);
  });
});
