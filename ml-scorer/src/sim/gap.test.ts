import { describe, expect, it } from 'vitest';
import { gapClosed, markdownTable, median } from './gap.ts';

describe('gapClosed', () => {
  it('is 0 at LRU, 1 at Belady, negative when worse than LRU, undefined without a gap', () => {
    expect(gapClosed(0.4, 0.4, 0.2)).toBe(0);
    expect(gapClosed(0.4, 0.2, 0.2)).toBe(1);
    expect(gapClosed(0.4, 0.3, 0.2)).toBeCloseTo(0.5);
    expect(gapClosed(0.4, 0.5, 0.2)).toBeCloseTo(-0.5);
    expect(gapClosed(0.4, 0.3, 0.4)).toBeUndefined();
  });
});

describe('median and markdownTable', () => {
  it('take the middle of defined values and render pipes safely', () => {
    expect(median([3, undefined, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([undefined])).toBeUndefined();
    expect(markdownTable(['a', 'b'], [['x|y', '1']], ['l', 'r'])).toBe(
      '| a | b |\n| :--- | ---: |\n| x\\|y | 1 |',
    );
  });
});
