import { describe, expect, it } from 'vitest';
import { RetrainSchedule } from './retrain-schedule.ts';

describe('RetrainSchedule', () => {
  it('trains first after firstAt rows, then every `every` rows', () => {
    const s = new RetrainSchedule({ firstAt: 100, every: 50 });
    expect(s.due(99)).toBe(false);
    expect(s.due(100)).toBe(true);
    expect(s.start(100)).toBe(0);
    s.finish();
    expect(s.due(149)).toBe(false);
    expect(s.due(150)).toBe(true);
    expect(s.start(160)).toBe(1);
    s.finish();
    expect(s.due(209)).toBe(false);
    expect(s.due(210)).toBe(true);
  });

  it('runs one job at a time', () => {
    const s = new RetrainSchedule({ firstAt: 10, every: 10 });
    s.start(10);
    expect(s.busy).toBe(true);
    expect(s.due(1000)).toBe(false);
    expect(() => s.start(1000)).toThrow(/already running/);
    s.finish();
    expect(s.due(1000)).toBe(true);
    expect(s.started).toBe(1);
  });

  it('refuses counts that are not positive integers', () => {
    expect(() => new RetrainSchedule({ firstAt: 0, every: 10 })).toThrow(RangeError);
    expect(() => new RetrainSchedule({ firstAt: 10, every: 1.5 })).toThrow(RangeError);
  });
});
