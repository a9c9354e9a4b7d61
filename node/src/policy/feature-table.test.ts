import { describe, expect, it } from 'vitest';
import {
  F32_STRIDE,
  F64_STRIDE,
  S_COUNT,
  S_EDC0,
  S_GAP1,
  S_GAP2,
  S_GAP3,
  S_INSERTED,
  S_KEY,
  S_LAST,
  S_POOLED,
  S_SIZE,
  S_VERSION,
  U32_STRIDE,
  FeatureTable,
} from './feature-table.ts';

const DOUBLES = [S_KEY, S_INSERTED, S_LAST];
const FLOATS = [S_COUNT, S_EDC0, S_EDC0 + 1, S_EDC0 + 2, S_GAP1, S_GAP2, S_GAP3];
const WORDS = [S_SIZE, S_VERSION, S_POOLED];

function fill(table: FeatureTable, slot: number): void {
  DOUBLES.forEach((field, i) => (table.f64[slot * F64_STRIDE + field] = slot * 100 + i + 0.1));
  FLOATS.forEach((field, i) => (table.f32[slot * F32_STRIDE + field] = slot * 10 + i + 0.5));
  WORDS.forEach((field, i) => (table.u32[slot * U32_STRIDE + field] = 0xfffffff0 + i - slot));
}

function read(table: FeatureTable, slot: number): number[] {
  return [
    ...DOUBLES.map((field) => table.f64[slot * F64_STRIDE + field]!),
    ...FLOATS.map((field) => table.f32[slot * F32_STRIDE + field]!),
    ...WORDS.map((field) => table.u32[slot * U32_STRIDE + field]!),
  ];
}

describe('FeatureTable', () => {
  it('keeps each slot’s state in one 64-byte record of one buffer, no two fields overlapping', () => {
    const table = new FeatureTable(4);
    expect(table.f32.buffer).toBe(table.f64.buffer);
    expect(table.u32.buffer).toBe(table.f64.buffer);
    expect(F32_STRIDE).toBe(2 * F64_STRIDE);
    expect(U32_STRIDE).toBe(F32_STRIDE);
    // 3 doubles, 7 floats and 3 uint32s fill the 64 bytes of a record, each a byte range of its
    // own: a record is exactly one cache line.
    const bytes = [
      ...DOUBLES.map((f) => [8 * f, 8 * f + 8]),
      ...FLOATS.map((f) => [4 * f, 4 * f + 4]),
      ...WORDS.map((f) => [4 * f, 4 * f + 4]),
    ].sort((x, y) => x[0]! - y[0]!);
    for (let i = 1; i < bytes.length; i++) expect(bytes[i]![0]).toBe(bytes[i - 1]![1]);
    expect([bytes[0]![0], bytes.at(-1)![1]]).toEqual([0, 64]);
    expect(8 * F64_STRIDE).toBe(64);
    expect(table.f64.byteLength).toBe(4 * 64);
    for (let slot = 0; slot < 4; slot++) fill(table, slot);
    for (let slot = 0; slot < 4; slot++) expect(read(table, slot)).toEqual(written(slot));
  });

  it('starts the ML policy’s version and pooled mark at 0', () => {
    const table = new FeatureTable(2);
    expect([table.u32[U32_STRIDE + S_VERSION], table.u32[U32_STRIDE + S_POOLED]]).toEqual([0, 0]);
    table.ensure(5);
    expect(table.u32[5 * U32_STRIDE + S_VERSION]).toBe(0);
  });

  it('grows by doubling and keeps every record bit for bit', () => {
    const table = new FeatureTable(3);
    for (let slot = 0; slot < 3; slot++) fill(table, slot);
    const before = [0, 1, 2].map((slot) => read(table, slot));
    table.ensure(2);
    expect(table.capacity).toBe(3);
    table.ensure(13);
    expect(table.capacity).toBe(24);
    expect(table.f32.buffer).toBe(table.f64.buffer);
    expect(table.u32.buffer).toBe(table.f64.buffer);
    expect(table.f64.length).toBe(24 * F64_STRIDE);
    expect([0, 1, 2].map((slot) => read(table, slot))).toEqual(before);
    fill(table, 23);
    expect(read(table, 23)).toEqual(written(23));
  });

  it('grows in place from `inPlaceFrom` slots, page by page, keeping every record bit for bit', () => {
    // 1024 records fill a 64 KiB wasm page.
    const table = new FeatureTable(500, 1500);
    for (const slot of [0, 1, 499]) fill(table, slot);
    const expire = table.expiries();
    expire[499] = 1_700_000_000_123;
    table.ensure(600);
    expect([table.growsInPlace, table.capacity]).toEqual([false, 1000]);
    table.ensure(1500);
    expect([table.growsInPlace, table.capacity]).toEqual([true, 2048]);
    fill(table, 2047);
    table.ensure(5000);
    expect([table.growsInPlace, table.capacity]).toEqual([true, 8192]);
    expect(table.f64.length).toBe(8192 * F64_STRIDE);
    expect(table.f32.buffer).toBe(table.f64.buffer);
    expect(table.u32.buffer).toBe(table.f64.buffer);
    for (const slot of [0, 1, 499, 2047]) expect(read(table, slot)).toEqual(written(slot));
    expect(read(table, 5000)).toEqual(new Array(13).fill(0));
    expect([table.expire!.length, table.expire![499]]).toEqual([8192, 1_700_000_000_123]);
  });

  it('has no expiry array until one is asked for, then one sized and grown with the records', () => {
    const table = new FeatureTable(4);
    expect(table.expire).toBeNull();
    table.ensure(6);
    expect(table.expire).toBeNull();
    const expire = table.expiries();
    expect(expire.length).toBe(table.capacity);
    expect(table.expiries()).toBe(expire);
    expire[7] = 1_700_000_000_123;
    table.ensure(20);
    expect(table.expire!.length).toBe(table.capacity);
    expect([table.expire![7], table.expire![20]]).toEqual([1_700_000_000_123, 0]);
  });
});

/** What `fill` wrote, as the record's fields read it back (floats rounded to float32). */
function written(slot: number): number[] {
  return [
    ...DOUBLES.map((_, i) => slot * 100 + i + 0.1),
    ...FLOATS.map((_, i) => Math.fround(slot * 10 + i + 0.5)),
    ...WORDS.map((_, i) => 0xfffffff0 + i - slot),
  ];
}
