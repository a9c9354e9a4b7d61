import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OverruleAudit } from './overrule-audit.ts';

const options = { capacity: 64, binWidth: 0.5, bins: 5, window: 1_000_000, confidence: 0 };

describe('OverruleAudit', () => {
  it('counts an overrule right when the kept base victim comes back first', () => {
    const audit = new OverruleAudit(options);
    expect(audit.audit(1, 2, 0.7, 10, 100)).toBe(true);
    audit.request(7, 11); // neither key: nothing
    expect(audit.resolved).toBe(0);
    audit.request(2, 12); // H first: evicting B instead was right
    expect(audit.resolved).toBe(1);
    expect(audit.counts()).toEqual({ right: [0, 1, 0, 0, 0], wrong: [0, 0, 0, 0, 0] });
    audit.request(1, 13); // the pair is closed: B's return counts for nothing
    expect(audit.resolved).toBe(1);
    expect(audit.open).toBe(0);
  });

  it('counts an overrule wrong when the pool’s best comes back first, in its lead’s bin', () => {
    const audit = new OverruleAudit(options);
    audit.audit(1, 2, 1.2, 0, 100);
    audit.audit(3, 4, 9, 0, 100); // beyond the last edge: the open-ended bin
    audit.request(1, 5);
    audit.request(3, 6);
    expect(audit.counts().wrong).toEqual([0, 0, 1, 0, 1]);
  });

  it('drops a pair neither key of which returns within its horizon', () => {
    // Two places: the sweep looks at both at every audit.
    const audit = new OverruleAudit({ ...options, capacity: 2 });
    audit.audit(1, 2, 1, 0, 10);
    audit.request(2, 11); // past the horizon: no outcome
    expect(audit.resolved).toBe(0);
    audit.audit(3, 4, 1, 12, 10); // the sweep closes the expired pair
    expect(audit.open).toBe(1);
    audit.request(2, 13);
    expect(audit.resolved).toBe(0);
  });

  it('reuses a resolved pair’s place at once, while older pairs still wait', () => {
    const audit = new OverruleAudit({ ...options, capacity: 2 });
    expect(audit.audit(1, 2, 1, 0, 1000)).toBe(true);
    expect(audit.audit(3, 4, 1, 0, 1000)).toBe(true);
    expect(audit.audit(5, 6, 1, 1, 1000)).toBe(false); // full
    audit.request(4, 2); // the newer pair resolves; the older one is open for 998 more requests
    expect(audit.audit(5, 6, 1, 3, 1000)).toBe(true);
    expect(audit.open).toBe(2);
    audit.request(1, 4);
    audit.request(6, 5);
    expect(audit.counts()).toEqual({ right: [0, 0, 2, 0, 0], wrong: [0, 0, 1, 0, 0] });
  });

  it('expires pairs in any order of their places, every place once per capacity / 2 audits', () => {
    const audit = new OverruleAudit(options);
    for (let i = 0; i < 64; i++) audit.audit(2 * i + 1, 2 * i + 2, 1, 0, 10);
    for (let i = 0; i < 63; i += 2) audit.request(2 * i + 2, 1); // every other pair resolves
    expect(audit.open).toBe(32);
    // Long past every horizon: 32 audits sweep all 64 places, and each new pair takes one freed.
    for (let i = 0; i < 32; i++)
      expect(audit.audit(1000 + 2 * i, 1001 + 2 * i, 1, 100, 10)).toBe(true);
    expect(audit.open).toBe(32);
    expect(audit.resolved).toBe(32);
  });

  it('refuses pairs without a lead, with a key already audited, or beyond its capacity', () => {
    const audit = new OverruleAudit({ ...options, capacity: 2 });
    expect(audit.audit(1, 2, 0, 0, 100)).toBe(false);
    expect(audit.audit(1, 2, -1, 0, 100)).toBe(false);
    expect(audit.audit(1, 1, 1, 0, 100)).toBe(false);
    expect(audit.audit(1, 2, 1, 0, 100)).toBe(true);
    expect(audit.audit(2, 3, 1, 0, 100)).toBe(false);
    expect(audit.audit(3, 4, 1, 0, 100)).toBe(true);
    expect(audit.audit(5, 6, 1, 0, 100)).toBe(false);
    audit.request(1, 1);
    expect(audit.audit(5, 6, 1, 1, 100)).toBe(true);
  });

  it('sets the margin where overrules start to pay', () => {
    const audit = new OverruleAudit(options);
    let t = 0;
    let key = 0;
    // Leads below 1: the pool's best comes back first; from 1 up, the base's victim does.
    for (const [lead, right] of [
      [0.2, false],
      [0.7, false],
      [1.2, true],
      [1.7, true],
      [2.5, true],
    ] as const) {
      for (let i = 0; i < 20; i++) {
        const best = ++key;
        const head = ++key;
        audit.audit(best, head, lead, ++t, 1000);
        audit.request(right ? head : best, ++t);
      }
    }
    expect(audit.margin()).toBe(1);
  });

  it('says nothing (NaN) until a gain clears its noise, and nothing where no overrule pays', () => {
    const audit = new OverruleAudit({ ...options, confidence: 2 });
    let key = 0;
    const resolve = (lead: number, right: boolean): void => {
      const best = ++key;
      const head = ++key;
      audit.audit(best, head, lead, key, 1000);
      audit.request(right ? head : best, key + 1);
    };
    resolve(1.2, true);
    resolve(1.2, true);
    expect(audit.margin()).toBeNaN(); // 2 − 2 × √2 < 0
    for (let i = 0; i < 20; i++) resolve(1.2, true);
    expect(audit.margin()).toBe(1);
    const wrong = new OverruleAudit(options);
    wrong.audit(1, 2, 1, 0, 100);
    wrong.request(1, 1);
    expect(wrong.margin()).toBeNaN();
  });

  it('halves its counts every window, so that newer pairs weigh more', () => {
    const audit = new OverruleAudit({ ...options, window: 4 });
    for (let i = 0; i < 4; i++) {
      audit.audit(2 * i + 1, 2 * i + 2, 0.2, i, 100);
      audit.request(2 * i + 2, i);
    }
    expect(audit.counts().right[0]).toBe(2);
    expect(audit.weight).toBe(2);
    expect(audit.resolved).toBe(4);
  });

  it('keeps its counts and drops its open pairs when resized', () => {
    const audit = new OverruleAudit(options);
    audit.audit(1, 2, 1.2, 0, 100);
    audit.request(2, 1);
    audit.audit(3, 4, 1.2, 2, 100);
    const smaller = audit.resized(8);
    expect(smaller.capacity).toBe(8);
    expect(smaller.counts()).toEqual(audit.counts());
    expect([smaller.resolved, smaller.weight, smaller.open]).toEqual([1, 1, 0]);
    smaller.request(4, 3); // its pair did not survive the resize
    expect(smaller.resolved).toBe(1);
    expect(smaller.margin()).toBe(1);
  });

  it('picks the margin that maximises the net gain’s lower bound (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.boolean()), { maxLength: 80 }),
        fc.constantFrom(0, 0.5, 1),
        (pairs, confidence) => {
          const audit = new OverruleAudit({ ...options, capacity: 256, confidence });
          const right = [0, 0, 0, 0, 0];
          const wrong = [0, 0, 0, 0, 0];
          pairs.forEach(([bin, isRight], i) => {
            audit.audit(2 * i + 1, 2 * i + 2, bin * 0.5 + 0.1, i, 1000);
            audit.request(isRight ? 2 * i + 2 : 2 * i + 1, i);
            (isRight ? right : wrong)[bin]!++;
          });
          let best = 0;
          let expected = Number.NaN;
          for (let b = 4; b >= 0; b--) {
            let gain = 0;
            let n = 0;
            for (let c = b; c <= 4; c++) {
              gain += right[c]! - wrong[c]!;
              n += right[c]! + wrong[c]!;
            }
            const bound = gain - confidence * Math.sqrt(n);
            if (bound > best) {
              best = bound;
              expected = b * 0.5;
            }
          }
          expect(audit.margin()).toBe(expected);
        },
      ),
    );
  });
});
