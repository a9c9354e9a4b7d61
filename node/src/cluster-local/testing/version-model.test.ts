import { describe, expect, it } from 'vitest';
import { VersionModel } from './version-model.ts';

describe('the acceptance test model', () => {
  it('accepts reads at or above the floor, and flags stale, lost and phantom reads', () => {
    const model = new VersionModel();
    const w1 = model.beginWrite('k', 'set', 0, 100)!;
    expect(model.beginWrite('k', 'set', 0, 100)).toBeUndefined();
    const early = model.beginRead('k', 101);
    model.ackWrite(w1, 110);
    expect(model.checkRead(early, null, 200)).toBeUndefined();
    const w2 = model.beginWrite('k', 'set', 0, 120)!;
    const during = model.beginRead('k', 121);
    expect(model.checkRead(during, 'k:2', 200)).toBeUndefined();
    expect(model.checkRead(during, 'k:1', 200)).toBeUndefined();
    model.ackWrite(w2, 130);
    const after = model.beginRead('k', 131);
    expect(model.checkRead(after, 'k:2', 200)).toBeUndefined();
    expect(model.checkRead(after, 'k:1', 200)).toMatch(/stale version 1/);
    expect(model.checkRead(after, null, 200)).toMatch(/nothing returned/);
    expect(model.checkRead(after, 'k:3', 200)).toMatch(/never written/);
    expect(model.checkRead(after, 'other:2', 200)).toMatch(/unexpected value/);
    expect(model.violations).toHaveLength(4);

    // A DEL sent while a read is in flight may be what the read sees, acknowledged or not.
    const del = model.beginWrite('k', 'del', 0, 140)!;
    expect(model.checkRead(after, null, 141)).toBeUndefined();
    model.ackWrite(del, 142);
    expect(model.checkRead(model.beginRead('k', 143), 'k:2', 144)).toMatch(/stale version 2/);
  });

  it('lets TTLs expire and DELs delete, and keeps failed writes uncertain', () => {
    const model = new VersionModel();
    const ttl = model.beginWrite('t', 'set-ttl', 1000, 0)!;
    model.ackWrite(ttl, 10);
    expect(model.checkRead(model.beginRead('t', 500), null, 500)).toMatch(/nothing returned/);
    expect(model.checkRead(model.beginRead('t', 950), null, 950)).toBeUndefined();
    expect(model.checkRead(model.beginRead('t', 1200), 't:1', 1200)).toMatch(/after it expired/);

    const del = model.beginWrite('d', 'del', 0, 0)!;
    model.ackWrite(del, 1);
    expect(model.checkRead(model.beginRead('d', 2), null, 2)).toBeUndefined();

    const set = model.beginWrite('u', 'set', 0, 0)!;
    model.ackWrite(set, 1);
    const lost = model.beginWrite('u', 'del', 0, 2)!;
    model.failWrite(lost);
    expect(model.checkRead(model.beginRead('u', 3), null, 3)).toBeUndefined();
    expect(model.expectedFinal(5000)).toEqual([
      { key: 't', allowed: [null] },
      { key: 'd', allowed: [null] },
      { key: 'u', allowed: ['u:1', null] },
    ]);
    model.checkFinal('u', ['u:1', null], 'u:7');
    expect(model.violations.at(-1)).toBe('final u: "u:7", expected "u:1" or null');
  });
});
