import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../../node/src/util/random.ts';
import type { RequestBatch } from '../../data/request-batch.ts';
import { parseDistribution, valueForKey } from './value-distribution.ts';
import { generateWorkload } from './workload.ts';
import { parseWorkloadSpec, WorkloadSpecError } from './workload-spec.ts';
import { ZipfSampler } from './zipf-sampler.ts';

function requests(spec: string): {
  keys: number[];
  sizes: number[];
  ttls: number[] | null;
  timestamps: number[];
} {
  const batches: RequestBatch[] = [...generateWorkload(parseWorkloadSpec(spec), 1000)];
  const column = (pick: (b: RequestBatch) => Float64Array) =>
    batches.flatMap((b) => [...pick(b).subarray(0, b.length)]);
  return {
    keys: column((b) => b.keys),
    sizes: column((b) => b.sizes),
    ttls: batches[0]!.ttls === null ? null : column((b) => b.ttls!),
    timestamps: column((b) => b.timestamps),
  };
}

describe('workloads', () => {
  const kinds = [
    'zipf:alpha=0.9,keys=500,requests=3000',
    'uniform:keys=500,requests=3000',
    'shifting:keys=500,requests=3000,period=500,shift=0.5',
    'loop:keys=200,loop=400,share=0.5,requests=3000',
    'onehit:keys=500,share=0.3,requests=3000',
  ];

  it.each(kinds)('%s: the same seed gives the same stream, another seed another', (spec) => {
    const a = requests(`${spec},seed=7,sizes=lognormal:6,1.2,ttl=uniform:10-100`);
    const b = requests(`${spec},seed=7,sizes=lognormal:6,1.2,ttl=uniform:10-100`);
    const c = requests(`${spec},seed=8,sizes=lognormal:6,1.2,ttl=uniform:10-100`);
    expect(a).toEqual(b);
    expect(a.keys).toHaveLength(3000);
    expect(c.keys).not.toEqual(a.keys);
  });

  it('gives each key one size and one TTL', () => {
    const { keys, sizes, ttls } = requests(
      'zipf:keys=300,requests=5000,sizes=uniform:10-20,ttl=30',
    );
    const sizeOf = new Map<number, number>();
    keys.forEach((key, i) => {
      expect(sizeOf.get(key) ?? sizes[i]).toBe(sizes[i]);
      sizeOf.set(key, sizes[i]!);
      expect(sizes[i]).toBeGreaterThanOrEqual(10);
      expect(sizes[i]).toBeLessThanOrEqual(20);
    });
    expect(new Set(ttls)).toEqual(new Set([30]));
  });

  it('spaces timestamps by the rate', () => {
    expect(requests('uniform:requests=4,rate=2').timestamps).toEqual([0, 0.5, 1, 1.5]);
  });

  it('shifting moves the hot set to new keys', () => {
    const { keys } = requests('shifting:keys=100,requests=2000,period=1000,shift=1,alpha=1.2');
    const first = new Set(keys.slice(0, 1000));
    const second = new Set(keys.slice(1000));
    expect([...second].every((key) => key > 100)).toBe(true);
    expect([...first].every((key) => key <= 100)).toBe(true);
  });

  it('loop scans its keys in order and onehit keys are never requested twice', () => {
    const loop = requests('loop:keys=10,loop=50,share=1,requests=120').keys;
    expect(loop.slice(0, 3)).toEqual([11, 12, 13]);
    expect(loop[50]).toBe(11);
    const onehit = requests('onehit:keys=10,share=1,requests=100').keys;
    expect(new Set(onehit).size).toBe(100);
  });
});

describe('ZipfSampler', () => {
  it.each([0, 0.7, 1, 1.3])('alpha %s: frequencies follow 1/k^alpha', (alpha) => {
    const n = 50;
    const sampler = new ZipfSampler(n, alpha, createRandom(11));
    const counts = new Array<number>(n + 1).fill(0);
    const draws = 200_000;
    for (let i = 0; i < draws; i++) counts[sampler.next()]!++;
    const norm = Array.from({ length: n }, (_, k) => 1 / (k + 1) ** alpha).reduce(
      (a, b) => a + b,
      0,
    );
    for (const k of [1, 2, 5, 20, 50]) {
      const expected = draws / k ** alpha / norm;
      expect(Math.abs(counts[k]! - expected)).toBeLessThan(5 * Math.sqrt(expected) + 1);
    }
    expect(counts[0]).toBe(0);
  });
});

describe('parseWorkloadSpec', () => {
  it('reads parameters, with commas inside a distribution', () => {
    const spec = parseWorkloadSpec(
      'zipf:alpha=0.8,keys=1e3,requests=2e4,seed=3,sizes=lognormal:8,1.5,rate=10',
    );
    expect(spec).toMatchObject({
      kind: 'zipf',
      alpha: 0.8,
      keys: 1000,
      requests: 20000,
      seed: 3,
      rate: 10,
    });
    expect(spec.sizes).toEqual({ kind: 'lognormal', mu: 8, sigma: 1.5 });
    expect(spec.ttl).toBeNull();
  });

  it.each([
    ['lru:keys=5', /unknown workload 'lru'.*zipf, uniform, shifting, loop, onehit/],
    ['zipf:keys=0', /keys=0.*integer >= 1/],
    ['zipf:loop=5', /unknown parameter 'loop'.*accepted: keys, requests/],
    ['onehit:share=2', /share=2.*\[0, 1\]/],
    ['zipf:sizes=gauss:3', /sizes=gauss:3: expected fixed:N/],
    ['zipf:alpha', /'alpha' .* is not name=value/],
  ])('rejects %s', (text, message) => {
    expect(() => parseWorkloadSpec(text)).toThrow(WorkloadSpecError);
    expect(() => parseWorkloadSpec(text)).toThrow(message);
  });
});

describe('value distributions', () => {
  it('fixed, uniform and lognormal stay in range and are deterministic', () => {
    expect(valueForKey(parseDistribution('100', 'sizes'), 5, 1, 1)).toBe(100);
    const lognormal = parseDistribution('lognormal:5,0.5', 'sizes');
    const values = Array.from({ length: 2000 }, (_, key) => valueForKey(lognormal, key, 1, 1));
    const median = [...values].sort((a, b) => a - b)[1000]!;
    expect(median).toBeGreaterThan(Math.exp(5) * 0.9);
    expect(median).toBeLessThan(Math.exp(5) * 1.1);
    expect(valueForKey(lognormal, 17, 1, 1)).toBe(valueForKey(lognormal, 17, 1, 1));
  });
});
