import { describe, expect, it } from 'vitest';
import { staticRing, idOf } from './static-ring.ts';

describe('staticRing', () => {
  it('builds an epoch-0 ring whose ids come from the addresses', () => {
    const a = staticRing(['127.0.0.1:7001', '127.0.0.1:7000']);
    const b = staticRing(['127.0.0.1:7000', '127.0.0.1:7001']);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.ring.epoch).toBe(0);
    expect(a.ring.nodes.map((node) => node.id)).toEqual(['127.0.0.1-7000', '127.0.0.1-7001']);
    expect(a.ring).toEqual(b.ring);
  });

  it('makes valid ids of IPv6 addresses and refuses duplicates', () => {
    expect(idOf('[::1]:6379')).toMatch(/^[A-Za-z0-9]/);
    expect(staticRing(['[::1]:6379']).ok).toBe(true);
    expect(staticRing(['a:1', 'a:1']).ok).toBe(false);
  });
});
