import type { Metric, Registry } from 'prom-client';
import type { HistogramSource } from './sources.ts';

/**
 * A Prometheus metric whose samples are read from plain numbers when the registry is scraped.
 *
 * prom-client's Counter can only be incremented and its Histogram only observed, while our
 * subsystems keep their own counters and bucket arrays on the hot path. Instead of copying those
 * into prom-client objects on every scrape (reset + inc, or replaying observations), this class
 * implements the small duck-typed interface the Registry actually uses (`name`, `help`, `type`,
 * `aggregator`, `get()`, `reset()`) and reports the samples directly.
 */
export type MetricKind = 'counter' | 'gauge' | 'histogram';

export type Labels = Readonly<Record<string, string | number>>;

/** One sample; `metricName` names the `_bucket`, `_sum` and `_count` series of a histogram. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
  readonly metricName?: string;
}

export interface CollectedMetricOptions {
  readonly name: string;
  readonly help: string;
  readonly type: MetricKind;
  /** Called at every scrape; returns the current samples. */
  readonly read: () => readonly Sample[];
}

export class CollectedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: MetricKind;
  // How prom-client's cluster mode would combine workers; every metric here adds up.
  readonly aggregator = 'sum';
  readonly #read: () => readonly Sample[];

  constructor(options: CollectedMetricOptions) {
    this.name = options.name;
    this.help = options.help;
    this.type = options.type;
    this.#read = options.read;
  }

  get(): Promise<{
    name: string;
    help: string;
    type: MetricKind;
    aggregator: string;
    values: Sample[];
  }> {
    const { name, help, type, aggregator } = this;
    return Promise.resolve({ name, help, type, aggregator, values: [...this.#read()] });
  }

  /** Nothing to reset: the values belong to the subsystems. */
  reset(): void {}
}

/** Creates a collected metric and registers it; throws if the name is taken. */
export function registerCollected(
  registry: Registry,
  options: CollectedMetricOptions,
): CollectedMetric {
  const metric = new CollectedMetric(options);
  // The typings only list prom-client's own classes; the Registry itself is duck-typed (see above).
  registry.registerMetric(metric as unknown as Metric);
  return metric;
}

/** The `_bucket` (cumulative), `_sum` and `_count` samples of a plain histogram. */
export function histogramSamples(name: string, source: HistogramSource, labels: Labels): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  source.bounds.forEach((bound, index) => {
    cumulative += source.counts[index] ?? 0;
    samples.push({
      metricName: `${name}_bucket`,
      labels: { ...labels, le: bound },
      value: cumulative,
    });
  });
  cumulative += source.counts[source.bounds.length] ?? 0;
  samples.push({
    metricName: `${name}_bucket`,
    labels: { ...labels, le: '+Inf' },
    value: cumulative,
  });
  samples.push({ metricName: `${name}_sum`, labels, value: source.sum });
  samples.push({ metricName: `${name}_count`, labels, value: source.count });
  return samples;
}
