import { writeFile } from 'node:fs/promises';
import { parse, View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import type { NonNormalizedSpec } from 'vega-lite/types_unstable/spec/index.js';
import { compile } from 'vega-lite';

/** What a miss-ratio chart needs from a result row. */
export interface PlotRow {
  readonly trace: string;
  readonly policy: string;
  readonly cacheSize: number;
  readonly sizeFraction: number | null;
  readonly ignoreSize: boolean;
  readonly missRatio: number;
  readonly byteMissRatio: number;
}

/** Offline references are drawn dashed, so that nobody mistakes them for a policy to deploy. */
const REFERENCE_POLICIES = new Set(['belady', 'belady-size']);

/**
 * A Vega-Lite spec of miss ratio against cache size, one line per policy and one chart per trace
 * and mode (object or byte budget), stacked vertically. The x axis is the fraction of the working
 * set when every size of the chart was given as one, else the absolute size, on a log scale.
 * Byte-budget charts plot the byte miss ratio, the quantity such a cache is sized for.
 */
export function missRatioChart(rows: readonly PlotRow[], title?: string): TopLevelSpec {
  const charts = new Map<string, PlotRow[]>();
  for (const row of rows) {
    const key = `${row.trace}\0${row.ignoreSize ? 'obj' : 'byte'}`;
    let chart = charts.get(key);
    if (chart === undefined) charts.set(key, (chart = []));
    chart.push(row);
  }
  const panels = [...charts.values()].map((chartRows) => panel(chartRows));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title === undefined ? {} : { title }),
    vconcat: panels,
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', view: { stroke: null } },
  };
}

function panel(rows: readonly PlotRow[]): NonNormalizedSpec {
  const first = rows[0]!;
  const fractions = rows.every((row) => row.sizeFraction !== null);
  const byte = !first.ignoreSize;
  const values = rows.map((row) => ({
    policy: row.policy,
    x: fractions ? row.sizeFraction! * 100 : row.cacheSize,
    y: byte ? row.byteMissRatio : row.missRatio,
    reference: REFERENCE_POLICIES.has(row.policy),
  }));
  const xTitle = fractions
    ? 'cache size (% of working set)'
    : `cache size (${first.ignoreSize ? 'objects' : 'bytes'})`;
  return {
    title: `${first.trace} (${byte ? 'byte budget' : 'object budget'})`,
    width: 420,
    height: 240,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle, scale: { type: 'log', nice: false } },
      y: {
        field: 'y',
        type: 'quantitative',
        title: byte ? 'byte miss ratio' : 'miss ratio',
        scale: { zero: false },
      },
      color: { field: 'policy', type: 'nominal', title: 'policy' },
      strokeDash: {
        field: 'reference',
        type: 'nominal',
        legend: null,
        scale: {
          domain: [false, true],
          range: [
            [1, 0],
            [5, 3],
          ],
        },
      },
    },
  };
}

/** Renders a Vega-Lite spec headless to SVG text. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes a chart to `file`: SVG, or PNG (rendered from the SVG by resvg) when it ends in .png. */
export async function writeChart(spec: TopLevelSpec, file: string): Promise<void> {
  const svg = await renderSvg(spec);
  if (!file.toLowerCase().endsWith('.png')) {
    await writeFile(file, svg);
    return;
  }
  // Loaded only for PNG: a native module nobody else needs.
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white' })
    .render()
    .asPng();
  await writeFile(file, png);
}
