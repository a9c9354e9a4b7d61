import { describe, expect, it } from 'vitest';
import type { InstalledModel, LoadedModel } from './model-slot.ts';
import { ModelSlot } from './model-slot.ts';

/** A model whose score() waits until released, and that records being closed. */
function fakeModel(value: number): LoadedModel & { closed: boolean; release(): void } {
  let release = (): void => {};
  const model = {
    closed: false,
    release: () => release(),
    score: (_rows: Float32Array, n: number) =>
      new Promise<Float32Array>((resolve) => {
        release = () => resolve(new Float32Array(n).fill(value));
      }),
    close: () => {
      model.closed = true;
      return Promise.resolve();
    },
  };
  return model;
}

const info = {
  onnx: new Uint8Array(1),
  installedAtMs: 5,
  trainingRows: 0,
  source: 'file' as const,
};

describe('ModelSlot', () => {
  it('answers version 0 without a model', async () => {
    expect(await new ModelSlot().score(new Float32Array(12), 1)).toEqual({
      scores: null,
      version: 0,
    });
  });

  it('numbers installs from 1 and tells subscribers', () => {
    const slot = new ModelSlot();
    const seen: InstalledModel[] = [];
    const unsubscribe = slot.subscribe((m) => seen.push(m));
    slot.install(fakeModel(1), info);
    slot.install(fakeModel(2), { ...info, source: 'trained' });
    unsubscribe();
    slot.install(fakeModel(3), info);
    expect(seen.map((m) => [m.version, m.source])).toEqual([
      [1, 'file'],
      [2, 'trained'],
    ]);
    expect(slot.version).toBe(3);
  });

  it('frees a replaced model only after the calls running on it finish', async () => {
    const slot = new ModelSlot();
    const first = fakeModel(1);
    slot.install(first, info);
    const running = slot.score(new Float32Array(12), 1);
    slot.install(fakeModel(2), info);
    expect(first.closed).toBe(false);
    first.release();
    expect(await running).toEqual({ scores: Float32Array.of(1), version: 1 });
    expect(first.closed).toBe(true);
  });

  it('frees an idle replaced model at once', () => {
    const slot = new ModelSlot();
    const first = fakeModel(1);
    slot.install(first, info);
    slot.install(fakeModel(2), info);
    expect(first.closed).toBe(true);
  });
});
