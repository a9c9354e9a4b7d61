import { describe, expect, it } from 'vitest';
import { NearCache } from './near-cache.ts';
import { FillSink } from './near-cache-sinks.ts';
import type { ReplySink } from '../upstream/reply-sink.ts';

const reply = (text: string): Buffer => Buffer.from(`$${text.length}\r\n${text}\r\n`);

/**
 * One GET as the gateway runs it: the cached reply (as text), or the fill token of a miss
 * (0: not to be kept).
 */
function get(cache: NearCache, key: string, now: number): string | number {
  const sampled = cache.sample(now);
  if (!sampled && !cache.tracking) return 0;
  const cached = cache.lookup(key, now);
  if (cached !== undefined) return cached.toString();
  return cache.noteMiss(key, sampled);
}

function getTimes(cache: NearCache, key: string, times: number, now: number): void {
  for (let i = 0; i < times; i++) get(cache, key, now);
}

describe('NearCache', () => {
  const make = (sampleEvery = 1): NearCache =>
    new NearCache({ ttlMs: 200, maxKeys: 2, windowMs: 100, minReads: 3, sampleEvery });

  it('caches only keys that were hot in the last window, for the TTL', () => {
    const cache = make();
    getTimes(cache, 'hot', 5, 0);
    getTimes(cache, 'cold', 1, 0);
    // The next window: `hot` is hot, `cold` is not.
    const token = get(cache, 'hot', 100) as number;
    expect(token).toBeGreaterThan(0);
    expect(get(cache, 'cold', 100)).toBe(0);
    cache.fill('hot', token, reply('v'), 100);
    expect(get(cache, 'hot', 150)).toBe('$1\r\nv\r\n');
    expect(get(cache, 'hot', 300)).not.toBe('$1\r\nv\r\n');
    expect(cache.hits).toBe(1);
    expect(cache.gets).toBe(10);
  });

  it('counts a sample of the GETs only, and still finds the hot keys', () => {
    const cache = make(16);
    getTimes(cache, 'hot', 64, 0);
    for (let i = 0; i < 64; i++) get(cache, `cold:${i}`, 0);
    get(cache, 'x', 100);
    expect(cache.hotKeys).toBe(1);
    expect(get(cache, 'hot', 100)).toBeGreaterThan(0);
  });

  it('finds no hot key in a uniform workload, however often it repeats', () => {
    const cache = make();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1000; i++) get(cache, `uniform:${i}`, 0);
    }
    getTimes(cache, 'really-hot', 400, 0);
    get(cache, 'x', 100);
    expect(cache.hotKeys).toBe(1);
    expect(get(cache, 'really-hot', 100)).toBeGreaterThan(0);
  });

  it('keeps at most maxKeys hot keys, the most read first', () => {
    const cache = make();
    getTimes(cache, 'a', 9, 0);
    getTimes(cache, 'b', 7, 0);
    getTimes(cache, 'c', 5, 0);
    get(cache, 'x', 100);
    expect(cache.hotKeys).toBe(2);
    expect(get(cache, 'a', 100)).toBeGreaterThan(0);
    expect(get(cache, 'c', 100)).toBe(0);
  });

  it('drops a fill that a write overtook, and refuses fills while writes are in flight', () => {
    const cache = make();
    getTimes(cache, 'k', 5, 0);
    const token = get(cache, 'k', 100) as number;
    expect(cache.beginWrite('k')).toBe(true);
    cache.fill('k', token, reply('old'), 110);
    expect(get(cache, 'k', 120)).toBe(0);
    cache.endWrite('k');
    const next = get(cache, 'k', 130) as number;
    cache.fill('k', next, reply('new'), 130);
    expect(get(cache, 'k', 140)).toContain('new');
    expect(cache.beginWrite('k')).toBe(true);
    expect(cache.lookup('k', 141)).toBeUndefined();
    expect(cache.invalidations).toBe(1);
    expect(cache.beginWrite('never-hot')).toBe(false);
  });

  it('drops a reply, and a fill in flight, when a node reports the key changed', () => {
    const cache = make();
    getTimes(cache, 'k', 5, 0);
    const token = get(cache, 'k', 100) as number;
    cache.fill('k', token, reply('v1'), 100);
    expect(get(cache, 'k', 110)).toContain('v1');
    cache.invalidate('k');
    expect(cache.invalidations).toBe(1);
    const refill = get(cache, 'k', 120) as number;
    expect(refill).toBeGreaterThan(0);
    // The change is reported before the read's reply lands: that reply may be older than it.
    cache.invalidate('k');
    cache.fill('k', refill, reply('v1'), 125);
    expect(get(cache, 'k', 130)).not.toContain('v1');
    cache.invalidate('never-cached');
    expect(cache.invalidations).toBe(1);
  });

  it('stays hot on its hits alone, and clear() drops every reply', () => {
    const cache = make();
    getTimes(cache, 'k', 5, 0);
    cache.fill('k', get(cache, 'k', 100) as number, reply('v'), 100);
    getTimes(cache, 'k', 4, 150);
    // The next window starts; the hits (not misses) kept `k` hot.
    get(cache, 'other', 250);
    expect(cache.hotKeys).toBe(1);
    const token = get(cache, 'k', 300) as number;
    expect(token).toBeGreaterThan(0);
    cache.fill('k', token, reply('v'), 300);
    cache.clear();
    expect(cache.lookup('k', 310)).toBeUndefined();
  });

  it("keeps RESP2 bytes and answers a RESP3 client's nil as RESP3", () => {
    const cache = make();
    const replies: string[] = [];
    const client: ReplySink = {
      onReply: (_tag, bytes, start, end) => replies.push(bytes.toString('latin1', start, end)),
      onMoved: () => {},
    };
    const clock = { now: () => 100, monotonic: () => 100 };
    const fill = (key: string, bytes: Buffer): void => {
      const sink = new FillSink(cache, clock, client, key, get(cache, key, 100) as number);
      sink.onReply(0, bytes, 0, bytes.length);
    };
    getTimes(cache, 'nil', 5, 0);
    getTimes(cache, 'v', 5, 0);
    // Filled by RESP3 clients' GETs: the nil is kept as RESP2's, the value as it came.
    fill('nil', Buffer.from('_\r\n'));
    fill('v', reply('x'));
    expect(replies).toEqual(['_\r\n', '$1\r\nx\r\n']);
    expect(cache.lookup('nil', 110)?.toString()).toBe('$-1\r\n');
    expect(cache.lookup('nil', 110, true)?.toString()).toBe('_\r\n');
    expect(cache.lookup('v', 110, true)?.toString()).toBe('$1\r\nx\r\n');
  });

  it('is disabled by a zero TTL or key count', () => {
    expect(new NearCache({ ttlMs: 0, maxKeys: 5 }).enabled).toBe(false);
    expect(new NearCache({ ttlMs: 100, maxKeys: 0 }).enabled).toBe(false);
    expect(() => new NearCache({ ttlMs: 1, maxKeys: 1, sampleEvery: 3 })).toThrow(RangeError);
  });
});
