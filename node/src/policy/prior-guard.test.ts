import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PriorGuard } from './prior-guard.ts';

const CAP = 100;

describe('PriorGuard', () => {
  it('switches the prior off when a window trails after the prior acted, then lets it back', () => {
    const g = new PriorGuard({ cooldown: 32 });
    expect(g.allows(0)).toBe(true);
    g.acted();
    expect(g.windowClosed(true, 1000, CAP)).toBe(true);
    expect(g.trips).toBe(1);
    expect(g.allows(1000)).toBe(false);
    // Off for cooldown × cap requests.
    expect(g.allows(1000 + 32 * CAP - 1)).toBe(false);
    expect(g.allows(1000 + 32 * CAP)).toBe(true);
  });

  it('leaves a trailing window to the shadow when the prior did not act since the last one', () => {
    const g = new PriorGuard();
    expect(g.windowClosed(true, 1000, CAP)).toBe(false);
    // It acted before an earlier window: that window settled it.
    g.acted();
    expect(g.windowClosed(false, 2000, CAP)).toBe(false);
    expect(g.windowClosed(true, 3000, CAP)).toBe(false);
    expect(g.trips).toBe(0);
    expect(g.allows(3000)).toBe(true);
  });

  it('does not blame the prior for a window that does not trail', () => {
    const g = new PriorGuard();
    g.acted();
    expect(g.windowClosed(false, 1000, CAP)).toBe(false);
    expect(g.allows(1000)).toBe(true);
  });

  it('doubles the cooldown with each trip', () => {
    const g = new PriorGuard({ cooldown: 10 });
    let t = 0;
    for (let trip = 0; trip < 4; trip++) {
      g.acted();
      expect(g.windowClosed(true, t, CAP)).toBe(true);
      const off = 10 * CAP * 2 ** trip;
      expect(g.allows(t + off - 1)).toBe(false);
      expect(g.allows(t + off)).toBe(true);
      t += off;
    }
    expect(g.trips).toBe(4);
  });

  it('lets the prior back, and takes back the doubling, when the model falls back without it', () => {
    const g = new PriorGuard({ cooldown: 10 });
    g.acted();
    g.windowClosed(true, 0, CAP);
    // The policy kept trailing without the prior until the shadow gave up the model.
    g.cleared(500);
    expect(g.allows(500)).toBe(true);
    // The next trip is not doubled for the one taken back.
    g.acted();
    g.windowClosed(true, 2000, CAP);
    expect(g.allows(2000 + 10 * CAP - 1)).toBe(false);
    expect(g.allows(2000 + 10 * CAP)).toBe(true);
    expect(g.trips).toBe(2);
  });

  it('keeps the doubling when the model falls back after the prior is back', () => {
    const g = new PriorGuard({ cooldown: 10 });
    g.acted();
    g.windowClosed(true, 0, CAP);
    // The cooldown is over: the prior was acting again, the blame stands.
    g.cleared(10 * CAP);
    g.acted();
    g.windowClosed(true, 5000, CAP);
    expect(g.allows(5000 + 20 * CAP - 1)).toBe(false);
    expect(g.allows(5000 + 20 * CAP)).toBe(true);
  });

  it('trips only on trailing windows after the prior acted, and is off only then', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ acted: fc.boolean(), trailing: fc.boolean() }), { maxLength: 50 }),
        (windows) => {
          const g = new PriorGuard({ cooldown: 1 });
          let trips = 0;
          let offUntil = Number.NEGATIVE_INFINITY;
          windows.forEach((w, i) => {
            const t = 1000 * (i + 1);
            if (w.acted) g.acted();
            const blamed = g.windowClosed(w.trailing, t, CAP);
            expect(blamed).toBe(w.acted && w.trailing);
            if (blamed) offUntil = t + CAP * 2 ** Math.min(trips++, 16);
            expect(g.allows(t)).toBe(t >= offUntil);
          });
          expect(g.trips).toBe(trips);
        },
      ),
    );
  });
});
