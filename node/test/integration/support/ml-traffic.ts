/** Request streams for the learned-policy integration tests (ml-*.int.test.ts). */
import type { Redis } from 'ioredis';
import { expect } from 'vitest';

/**
 * Plain LFU's blind spot: keys read often that then go cold keep high counts, so plain LFU would
 * evict the newer, live keys instead, and their age gives them away to a model. This node's LFU
 * ages its counts (halved every 10 x residents increments, lfu.ts), so they leave within a few
 * rounds anyway: the stream gives the model plenty of decisions to make, not a sure win. The
 * learned policies may trail LFU in some of the shadow's windows here, and the guard may then
 * fall back (ml-scorer-pull.int.test.ts). `prefix` keeps the keys of two calls apart.
 */
export async function staleFrequencyTraffic(client: Redis, prefix = '', rounds = 4): Promise<void> {
  const value = 'v'.repeat(100);
  const old = client.pipeline();
  for (let i = 0; i < 3000; i++) {
    old.set(`${prefix}old:${i}`, value);
    for (let j = 0; j < 8; j++) old.get(`${prefix}old:${i}`);
  }
  await old.exec();
  for (let round = 0; round < rounds; round++) {
    const pipeline = client.pipeline();
    for (let i = 0; i < 10_000; i++) {
      pipeline.set(`${prefix}new:${round}:${i}`, value);
      // A hot key is read, then written (a GET of an even key alone would never hit).
      const hot = `${prefix}hot:${(i >> 1) % 1500}`;
      if (i % 2 === 0) pipeline.get(hot);
      else pipeline.set(hot, value);
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [error] of results) expect(error).toBeNull();
  }
}

/** The 99th percentile latency (ms) of `count` unpipelined SETs `s:i` of `size` bytes. */
export async function setLatencyP99(client: Redis, count: number, size: number): Promise<number> {
  const single: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await client.set(`s:${i}`, 'v'.repeat(size));
    single.push(performance.now() - started);
  }
  single.sort((a, b) => a - b);
  return single[Math.floor(single.length * 0.99)]!;
}
