import { describe, expect, it } from 'vitest';
import { createWorkload } from './workload.ts';
import type { WorkloadOptions, WorkloadRequest } from './workload.ts';

function take(options: WorkloadOptions, n: number): WorkloadRequest[] {
  const workload = createWorkload(options);
  return Array.from({ length: n }, () => workload.next());
}

describe('the demo workload', () => {
  it('is the same request stream for the same seed, and another one for another seed', () => {
    const a = take({ seed: 7 }, 30_000);
    expect(take({ seed: 7 }, 30_000)).toEqual(a);
    const b = take({ seed: 8 }, 30_000);
    const same = a.filter((request, i) => request.key === b[i]!.key).length;
    expect(same).toBeLessThan(a.length / 10);
  });

  it('mixes a skewed core, one-hit wonders and periodic scans in the configured shares', () => {
    const requests = take({ seed: 1, scanEvery: 10_000, scanLength: 500 }, 49_999);
    const count = (kind: WorkloadRequest['kind']) => requests.filter((r) => r.kind === kind).length;
    expect(count('scan')).toBe(4 * 500);
    expect(count('one-hit') / requests.length).toBeCloseTo(0.05, 1);
    const onceKeys = requests.filter((r) => r.kind === 'one-hit').map((r) => r.key);
    expect(new Set(onceKeys).size).toBe(onceKeys.length);
    // A scan reads consecutive ids once each.
    const scan = requests.filter((r) => r.kind === 'scan').slice(0, 3);
    const ids = scan.map((r) => Number(r.key.slice(2)));
    expect([ids[1]! - ids[0]!, ids[2]! - ids[1]!]).toEqual([1, 1]);
  });

  it('concentrates reads on few keys (Zipf) and lets popularity drift', () => {
    const requests = take({ seed: 3, scanEvery: 0, oneHitShare: 0, shiftEvery: 50 }, 40_000);
    const hotKeys = (slice: WorkloadRequest[]): string[] => {
      const counts = new Map<string, number>();
      for (const r of slice) counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
      return [...counts].sort((x, y) => y[1] - x[1]).map(([key]) => key);
    };
    const early = requests.slice(0, 5000);
    const top = hotKeys(early).slice(0, 400); // 1 % of the 40 000 keys
    const share = early.filter((r) => top.includes(r.key)).length / early.length;
    expect(share).toBeGreaterThan(0.3);
    const late = hotKeys(requests.slice(35_000)).slice(0, 20);
    const stillHot = late.filter((key) => hotKeys(early).slice(0, 20).includes(key)).length;
    expect(stillHot).toBeLessThan(10);
  });

  it('gives each key one value size within the bounds', () => {
    const requests = take({ seed: 5, minValueSize: 100, maxValueSize: 1000 }, 20_000);
    const sizes = new Map<string, number>();
    for (const r of requests) {
      expect(r.valueSize).toBeGreaterThanOrEqual(100);
      expect(r.valueSize).toBeLessThanOrEqual(1000);
      expect(sizes.get(r.key) ?? r.valueSize).toBe(r.valueSize);
      sizes.set(r.key, r.valueSize);
    }
    expect(new Set(sizes.values()).size).toBeGreaterThan(100);
  });

  it("keeps the demo's default stream (seed 42): the hit ratios the docs quote depend on it", () => {
    const workload = createWorkload({ seed: 42 });
    const kinds = { zipf: 0, scan: 0, 'one-hit': 0 };
    const seen = new Set<string>();
    let bytes = 0;
    for (let i = 0; i < 200_000; i++) {
      const r = workload.next();
      kinds[r.kind]++;
      if (seen.has(r.key)) continue;
      seen.add(r.key);
      bytes += r.key.length + r.valueSize + 112;
    }
    expect(kinds).toEqual({ zipf: 176_595, scan: 14_001, 'one-hit': 9404 });
    expect(seen.size).toBe(41_971);
    expect(bytes).toBe(45_603_832);
  });
});
