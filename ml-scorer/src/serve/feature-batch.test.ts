import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../../../node/src/policy/features.ts';
import { float32View, readLabels, readRows, scoresToBytes } from './feature-batch.ts';

const F = FEATURE_COUNT;
const message = (n: number, bytes = n * F * 4, version = FEATURE_SCHEMA_VERSION, width = F) => ({
  feature_schema_version: version,
  n_features: width,
  n,
  rows: Buffer.alloc(bytes),
});

describe('readRows', () => {
  it('accepts n rows of the current schema as floats', () => {
    const rows = Float32Array.from({ length: 2 * F }, (_, i) => i + 0.5);
    const batch = readRows({ ...message(2), rows: Buffer.from(rows.buffer) }, 16);
    expect(batch).toEqual({ ok: true, value: rows });
  });

  it('refuses another schema version or width as FEATURE_VERSION', () => {
    expect(readRows(message(1, F * 4, FEATURE_SCHEMA_VERSION + 1), 16)).toMatchObject({
      ok: false,
      reason: 'FEATURE_VERSION',
    });
    expect(readRows(message(1, (F + 1) * 4, FEATURE_SCHEMA_VERSION, F + 1), 16)).toMatchObject({
      ok: false,
      reason: 'FEATURE_VERSION',
    });
  });

  it('refuses byte lengths that do not match n and batches over the limit', () => {
    expect(readRows(message(2, 2 * F * 4 - 1), 16)).toMatchObject({ reason: 'BAD_REQUEST' });
    expect(readRows(message(2, 3 * F * 4), 16)).toMatchObject({ reason: 'BAD_REQUEST' });
    expect(readRows(message(17), 16)).toMatchObject({ reason: 'BAD_REQUEST' });
    expect(readRows(message(16), 16)).toMatchObject({ ok: true });
  });
});

describe('readLabels', () => {
  it('reads n floats and refuses other lengths and non-finite labels', () => {
    expect(readLabels(Buffer.from(Float32Array.of(1, 2).buffer), 2)).toEqual({
      ok: true,
      value: Float32Array.of(1, 2),
    });
    expect(readLabels(Buffer.alloc(7), 2)).toMatchObject({ reason: 'BAD_REQUEST' });
    expect(readLabels(Buffer.from(Float32Array.of(1, NaN).buffer), 2)).toMatchObject({
      reason: 'BAD_REQUEST',
    });
  });
});

describe('float32View and scoresToBytes', () => {
  it('reads unaligned bytes by copying them', () => {
    const backing = new Uint8Array(9);
    backing.set(new Uint8Array(Float32Array.of(1.5, -2).buffer), 1);
    expect(float32View(backing.subarray(1))).toEqual(Float32Array.of(1.5, -2));
    // A Buffer from the shared pool: only its own bytes.
    const pooled = Buffer.allocUnsafe(9).subarray(1);
    pooled.writeFloatLE(1.5, 0);
    pooled.writeFloatLE(-2, 4);
    expect(float32View(pooled)).toEqual(Float32Array.of(1.5, -2));
  });

  it('writes one little-endian float64 per score', () => {
    const bytes = scoresToBytes(Float32Array.of(0.25, 3));
    expect(bytes.readDoubleLE(0)).toBe(0.25);
    expect(bytes.readDoubleLE(8)).toBe(3);
    expect(bytes.byteLength).toBe(16);
  });
});
