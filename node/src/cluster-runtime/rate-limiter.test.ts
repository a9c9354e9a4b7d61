import { describe, expect, it } from 'vitest';
import { ManualClock } from '../util/clock.ts';
import { RateLimiter } from './rate-limiter.ts';

describe('RateLimiter', () => {
  it('lets a burst through, then makes the caller wait what the bytes cost', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ bytesPerSecond: 1000, clock, burstBytes: 500 });
    expect(limiter.take(500)).toBe(0);
    // 250 bytes of debt at 1000 B/s: a quarter of a second.
    expect(limiter.take(250)).toBe(250);
    clock.advance(250);
    expect(limiter.take(100)).toBe(100);
  });

  it('holds the average at the rate whatever the batch sizes', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ bytesPerSecond: 10_000, clock, burstBytes: 1000 });
    let sent = 0;
    const started = clock.monotonic();
    for (let i = 0; i < 200; i++) {
      const bytes = 200 + ((i * 7919) % 3000);
      sent += bytes;
      clock.advance(limiter.take(bytes));
    }
    const seconds = (clock.monotonic() - started) / 1000;
    expect(sent / seconds).toBeLessThanOrEqual(10_000 * 1.05);
    expect(sent / seconds).toBeGreaterThan(10_000 * 0.9);
  });

  it('refills only up to the burst after a pause', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ bytesPerSecond: 1000, clock, burstBytes: 100 });
    clock.advance(60_000);
    expect(limiter.take(100)).toBe(0);
    expect(limiter.take(100)).toBe(100);
  });

  it('never waits when unlimited, and refuses nonsense', () => {
    const limiter = new RateLimiter({ bytesPerSecond: 0, clock: new ManualClock() });
    expect(limiter.take(1e12)).toBe(0);
    expect(() => new RateLimiter({ bytesPerSecond: -1, clock: new ManualClock() })).toThrow(
      RangeError,
    );
  });
});
