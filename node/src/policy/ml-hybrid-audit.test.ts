import { describe, expect, it } from 'vitest';
import { createMlHybridPolicy } from './ml-hybrid.ts';
import type { MlHybridParams } from './ml-hybrid-params.ts';
import { OverruleAudit } from './overrule-audit.ts';
import type { Scorer } from './scorer-port.ts';
import { drive, inverted, sensible, zipf } from './test-ml-drive.ts';

/** Replays 60K requests of a Zipf workload through a cache of 400 keys; its stats and hits. */
function replay(base: 'lru' | 'lfu', model: Scorer, params: Partial<MlHybridParams> = {}) {
  const policy = createMlHybridPolicy({ base, capacity: 400, scorer: model, params });
  const { hits } = drive(policy, zipf(60_000, 3), 400);
  return { stats: policy.stats(), hits, reserved: policy.reservedBytes() };
}

describe('MlHybridPolicy: the challenge judged by outcomes (auditEvery)', () => {
  const knobs = { challengeMargin: 1, marginCeiling: 2, auditMinPairs: 64 };

  it('lowers the margin where overrules keep the key needed sooner, and gains hits', () => {
    const audited = replay('lru', sensible, { ...knobs, auditEvery: 1 });
    const plain = replay('lru', sensible, { ...knobs, auditEvery: 0 });
    expect(audited.stats.auditResolved).toBeGreaterThan(200);
    expect(audited.stats.auditMargin).toBe(0);
    expect(audited.stats.challengeMargin).toBe(0);
    expect(plain.stats.challengeMargin).toBe(1);
    expect(audited.hits).toBeGreaterThan(plain.hits);
  });

  it('leaves the margin alone when no overrule is shown to pay', () => {
    const audited = replay('lru', inverted, { ...knobs, auditEvery: 1 });
    const plain = replay('lru', inverted, { ...knobs, auditEvery: 0 });
    expect(audited.stats.auditMargin).toBe(-1);
    expect(audited.stats.challengeMargin).toBe(plain.stats.challengeMargin);
    expect(audited.hits).toBe(plain.hits);
  });

  it('is on by default in both, ML+LRU acting after 1,024 pairs, and its memory is reserved', () => {
    const lfu = replay('lfu', sensible);
    const lru = replay('lru', sensible);
    expect(lfu.stats.auditResolved).toBeGreaterThan(0);
    // Pairs are audited from the start, but fewer than 1,024 resolve here: no verdict yet.
    expect(lru.stats.auditResolved).toBeGreaterThan(256);
    expect(lru.stats.auditResolved).toBeLessThan(1024);
    expect(lru.stats.auditMargin).toBe(-1);
    expect(replay('lru', sensible, { auditMinPairs: 256 }).stats.auditMargin).toBe(0);
    const off = replay('lfu', sensible, { auditEvery: 0 });
    // 400 keys: an evicted-keys table of 1024, and one pair per 16 of its keys.
    expect(lfu.reserved - off.reserved).toBe(OverruleAudit.bytesFor(64));
    expect(lru.reserved).toBe(lfu.reserved);
  });
});
