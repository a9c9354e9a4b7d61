import { describe, expect, it } from 'vitest';
import { missRatioChart, renderSvg } from './plot.ts';

describe('missRatioChart', () => {
  it('renders one chart per trace and mode, headless, to SVG', async () => {
    const rows = ['lru', 'belady'].flatMap((policy, p) =>
      [0.01, 0.1].flatMap((fraction) => [
        {
          trace: 't1',
          policy,
          cacheSize: fraction * 1000,
          sizeFraction: fraction,
          ignoreSize: true,
          missRatio: 0.5 - p * 0.1 - fraction,
          byteMissRatio: 0.5,
        },
        {
          trace: 't1',
          policy,
          cacheSize: fraction * 1e6,
          sizeFraction: fraction,
          ignoreSize: false,
          missRatio: 0.5,
          byteMissRatio: 0.6 - fraction,
        },
      ]),
    );
    const spec = missRatioChart(rows);
    expect((spec as { vconcat: unknown[] }).vconcat).toHaveLength(2);
    const svg = await renderSvg(spec);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('t1 (object budget)');
    expect(svg).toContain('t1 (byte budget)');
    expect(svg).toContain('belady');
  });
});
