import { describe, expect, it } from 'vitest';
import { ManualClock } from '../util/clock.ts';
import { CircuitBreaker } from './circuit-breaker.ts';

function breaker(clock: ManualClock): CircuitBreaker {
  return new CircuitBreaker({ now: () => clock.monotonic(), failureThreshold: 3, cooldown: 1000 });
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of failures in a row, not before', () => {
    const clock = new ManualClock();
    const b = breaker(clock);
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
    expect(b.opens).toBe(1);
  });

  it('a success in between resets the count', () => {
    const b = breaker(new ManualClock());
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
  });

  it('half-opens after the cooldown; a success closes it', () => {
    const clock = new ManualClock();
    const b = breaker(clock);
    for (let i = 0; i < 3; i++) b.failure();
    clock.advance(999);
    expect(b.allow()).toBe(false);
    clock.advance(1);
    expect(b.allow()).toBe(true);
    expect(b.state).toBe('half-open');
    b.success();
    expect(b.state).toBe('closed');
  });

  it('a failure while half-open opens it again for a whole cooldown', () => {
    const clock = new ManualClock();
    const b = breaker(clock);
    for (let i = 0; i < 3; i++) b.failure();
    clock.advance(1000);
    expect(b.allow()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.opens).toBe(2);
    clock.advance(500);
    expect(b.allow()).toBe(false);
    clock.advance(500);
    expect(b.allow()).toBe(true);
  });

  it('reset() closes it at once', () => {
    const b = breaker(new ManualClock());
    for (let i = 0; i < 3; i++) b.failure();
    b.reset();
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
  });
});
