import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { classOf, classSize, MAX_CHUNK, PAGE_SIZE, SlabArena } from './slab-arena.ts';

interface Chunk {
  readonly page: number;
  readonly offset: number;
  readonly size: number;
  readonly fill: number;
}

describe('size classes', () => {
  it('fit every size with at most 1/8 (or 15 bytes) to spare, and are stable', () => {
    let previous = 0;
    for (let size = 1; size <= MAX_CHUNK; size++) {
      const sizeClass = classOf(size);
      const chunk = classSize(sizeClass);
      expect(chunk).toBeGreaterThanOrEqual(size);
      expect(chunk - size).toBeLessThanOrEqual(Math.max(15, size / 8));
      expect(chunk % 16).toBe(0);
      expect(classOf(chunk)).toBe(sizeClass);
      expect(sizeClass).toBeGreaterThanOrEqual(previous);
      previous = sizeClass;
    }
    expect(classSize(classOf(MAX_CHUNK))).toBe(MAX_CHUNK);
  });
});

describe('SlabArena', () => {
  it('hands out disjoint chunks that keep their bytes, and gives emptied pages back', () => {
    const size = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 300 }) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: MAX_CHUNK }) },
      { weight: 1, arbitrary: fc.integer({ min: MAX_CHUNK + 1, max: 3 * MAX_CHUNK }) },
    );
    const step = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('allocate' as const), size }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant('burst' as const), size, n: fc.nat(900) }),
      },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const arena = new SlabArena();
        const live: Chunk[] = [];
        let fill = 0;
        const allocate = (bytes: number): void => {
          const page = arena.allocate(bytes);
          const chunk = { page, offset: arena.offset, size: bytes, fill: ++fill & 0xff };
          const pageBytes = arena.pages[page]!;
          expect(chunk.offset + bytes).toBeLessThanOrEqual(pageBytes.length);
          expect(arena.chunkSize(page)).toBeGreaterThanOrEqual(bytes);
          expect(arena.fits(page, bytes)).toBe(true);
          pageBytes.fill(chunk.fill, chunk.offset, chunk.offset + bytes);
          live.push(chunk);
        };
        for (const s of steps) {
          if (s.kind === 'allocate') allocate(s.size);
          else if (s.kind === 'burst') for (let i = 0; i < s.n; i++) allocate(s.size);
          else if (live.length > 0) {
            const [chunk] = live.splice(s.pick % live.length, 1);
            arena.free(chunk!.page, chunk!.offset);
          }
        }
        // Every live chunk still holds what was written into it: no overlap, and the free
        // lists threaded through freed chunks never touched a live one.
        for (const chunk of live) {
          const bytes = arena.pages[chunk.page]!;
          for (let i = 0; i < chunk.size; i++) {
            if (bytes[chunk.offset + i] !== chunk.fill) {
              expect.fail(`chunk ${chunk.page}:${chunk.offset} was overwritten`);
            }
          }
        }
        const pages = new Set(live.map((chunk) => chunk.page));
        const reserved = [...pages].reduce((sum, page) => sum + arena.pages[page]!.length, 0);
        expect(arena.bytesReserved).toBe(reserved);
        for (const chunk of live) arena.free(chunk.page, chunk.offset);
        expect(arena.bytesReserved).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('packs a page full before starting another, and reuses freed chunks first', () => {
    const arena = new SlabArena();
    const perPage = PAGE_SIZE / 128;
    const first = arena.allocate(116);
    for (let i = 1; i < perPage; i++) expect(arena.allocate(120)).toBe(first);
    expect(arena.bytesReserved).toBe(PAGE_SIZE);
    const second = arena.allocate(128);
    expect(second).not.toBe(first);
    arena.free(first, 256);
    expect(arena.allocate(113)).toBe(first);
    expect(arena.offset).toBe(256);
  });
});

describe('SlabArena evacuation', () => {
  let evacuations = 0;

  it('marks only sparse pages, never hands out chunks in them, and frees them once moved out', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3000, max: 12_000 }),
        fc.integer({ min: 2, max: 20 }),
        fc.constantFrom(16, 100, 120, 700),
        fc.nat(),
        (count, keepEvery, size, seed) => {
          const arena = new SlabArena();
          const chunks: { page: number; offset: number; fill: number }[] = [];
          for (let i = 0; i < count; i++) {
            const page = arena.allocate(size);
            const fill = (i * 31 + seed) & 0xff;
            arena.pages[page]!.fill(fill, arena.offset, arena.offset + size);
            chunks.push({ page, offset: arena.offset, fill });
          }
          // A mass deletion leaves every page sparse.
          let live = chunks.filter((chunk, i) => {
            if (i % keepEvery === 0) return true;
            arena.free(chunk.page, chunk.offset);
            return false;
          });
          const pagesBefore = arena.bytesReserved / PAGE_SIZE;
          const marked = arena.planEvacuation();
          expect(arena.evacuatingPages).toBe(marked);
          // Move every chunk out of the evacuating pages, as the entry table does.
          live = live.map((chunk) => {
            if (!arena.isEvacuating(chunk.page)) return chunk;
            const page = arena.allocate(size);
            expect(arena.isEvacuating(page)).toBe(false);
            arena.pages[chunk.page]!.copy(
              arena.pages[page]!,
              arena.offset,
              chunk.offset,
              chunk.offset + size,
            );
            arena.free(chunk.page, chunk.offset);
            return { page, offset: arena.offset, fill: chunk.fill };
          });
          expect(arena.evacuatingPages).toBe(0);
          arena.endEvacuation();
          const perPage = Math.floor(PAGE_SIZE / classSize(classOf(size)));
          const pagesAfter = arena.bytesReserved / PAGE_SIZE;
          expect(pagesAfter).toBe(pagesBefore - marked);
          // The kept pages are the fewest that hold the live chunks at 7/8 full on average.
          if (marked > 0) {
            evacuations++;
            expect(pagesAfter).toBe(Math.max(1, Math.ceil((8 * live.length) / (7 * perPage))));
          }
          const seen = new Set<string>();
          for (const chunk of live) {
            const where = `${chunk.page}:${chunk.offset}`;
            expect(seen.has(where)).toBe(false);
            seen.add(where);
            const bytes = arena.pages[chunk.page]!.subarray(chunk.offset, chunk.offset + size);
            expect(bytes.every((byte) => byte === chunk.fill)).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
    expect(evacuations).toBeGreaterThan(0);
  });
});
