import type { ValueDistribution } from './value-distribution.ts';
import { parseDistribution } from './value-distribution.ts';

/**
 * Synthetic workloads, written `KIND:param=value,...` (for example
 * `zipf:alpha=0.9,keys=1e6,requests=1e7,seed=1,sizes=lognormal:8,1.5`):
 * - `zipf`: keys 1..keys drawn with P(rank k) ~ 1/k^alpha.
 * - `uniform`: keys 1..keys equally likely.
 * - `shifting`: Zipf over a hot set that moves: every `period` requests the ranks map to keys
 *   `shift x keys` further on, so part of the old hot set goes cold and new keys become hot.
 * - `loop`: a Zipf core, with a `share` of requests scanning a loop of `loop` other keys in
 *   order (LRU's worst case once the loop is larger than the cache).
 * - `onehit`: a Zipf core, with a `share` of requests to keys never requested again.
 * Common: `keys`, `requests`, `seed`, `sizes` and `ttl` (distributions, see value-distribution.ts;
 * per key), `rate` (requests per second, which spaces timestamps for TTLs).
 */
export const WORKLOAD_KINDS = ['zipf', 'uniform', 'shifting', 'loop', 'onehit'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export interface WorkloadSpec {
  /** The spec as written, used as the workload's name in results. */
  readonly text: string;
  readonly kind: WorkloadKind;
  readonly keys: number;
  readonly requests: number;
  readonly seed: number;
  readonly alpha: number;
  readonly sizes: ValueDistribution;
  readonly ttl: ValueDistribution | null;
  readonly rate: number;
  readonly period: number;
  readonly shift: number;
  readonly loop: number;
  readonly share: number;
}

const COMMON = ['keys', 'requests', 'seed', 'sizes', 'ttl', 'rate'];
const PARAMS: Readonly<Record<WorkloadKind, readonly string[]>> = {
  zipf: [...COMMON, 'alpha'],
  uniform: COMMON,
  shifting: [...COMMON, 'alpha', 'period', 'shift'],
  loop: [...COMMON, 'alpha', 'loop', 'share'],
  onehit: [...COMMON, 'alpha', 'share'],
};

/** A workload spec that cannot be parsed; the message says what is accepted. */
export class WorkloadSpecError extends Error {
  readonly code = 'SIM_E_WORKLOAD';
  constructor(message: string) {
    super(message);
    this.name = 'WorkloadSpecError';
  }
}

/** Parses `KIND:param=value,...`; a comma-separated piece without `=` continues the previous value. */
export function parseWorkloadSpec(text: string): WorkloadSpec {
  const colon = text.indexOf(':');
  const kind = (colon < 0 ? text : text.slice(0, colon)).trim();
  if (!(WORKLOAD_KINDS as readonly string[]).includes(kind)) {
    throw new WorkloadSpecError(
      `unknown workload '${kind}' in '${text}'; expected one of ${WORKLOAD_KINDS.join(', ')}`,
    );
  }
  const params = parseParams(
    text,
    colon < 0 ? '' : text.slice(colon + 1),
    PARAMS[kind as WorkloadKind],
  );
  const num = (
    name: string,
    fallback: number,
    check: (n: number) => boolean,
    rule: string,
  ): number => {
    const raw = params.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw.trim() === '' || !check(value)) {
      throw new WorkloadSpecError(`${name}=${raw} in '${text}': ${rule}`);
    }
    return value;
  };
  const count = (n: number): boolean => Number.isSafeInteger(n) && n >= 1;
  const fraction = (n: number): boolean => n >= 0 && n <= 1;
  const keys = num('keys', 100_000, count, 'expected an integer >= 1');
  const requests = num('requests', 1_000_000, count, 'expected an integer >= 1');
  return {
    text,
    kind: kind as WorkloadKind,
    keys,
    requests,
    seed: num('seed', 1, Number.isSafeInteger, 'expected an integer'),
    alpha: num('alpha', 0.9, (n) => n >= 0 && Number.isFinite(n), 'expected a number >= 0'),
    sizes: distribution(params, 'sizes', text) ?? { kind: 'fixed', value: 1 },
    ttl: distribution(params, 'ttl', text),
    rate: num('rate', 1000, (n) => n > 0 && Number.isFinite(n), 'expected a number > 0'),
    period: num(
      'period',
      Math.max(1, Math.floor(requests / 10)),
      count,
      'expected an integer >= 1',
    ),
    shift: num('shift', 0.5, (n) => n >= 0 && Number.isFinite(n), 'expected a number >= 0'),
    loop: num('loop', keys, count, 'expected an integer >= 1'),
    share: num('share', kind === 'loop' ? 0.5 : 0.3, fraction, 'expected a number in [0, 1]'),
  };
}

function parseParams(text: string, body: string, allowed: readonly string[]): Map<string, string> {
  const params = new Map<string, string>();
  let last: string | undefined;
  for (const piece of body === '' ? [] : body.split(',')) {
    const eq = piece.indexOf('=');
    if (eq < 0) {
      // `sizes=lognormal:8,1.5` splits into `sizes=lognormal:8` and `1.5`.
      if (last === undefined)
        throw new WorkloadSpecError(`'${piece}' in '${text}' is not name=value`);
      params.set(last, `${params.get(last)},${piece}`);
      continue;
    }
    const name = piece.slice(0, eq).trim();
    if (!allowed.includes(name)) {
      throw new WorkloadSpecError(
        `unknown parameter '${name}' in '${text}'; accepted: ${allowed.join(', ')}`,
      );
    }
    params.set(name, piece.slice(eq + 1).trim());
    last = name;
  }
  return params;
}

function distribution(
  params: Map<string, string>,
  name: string,
  text: string,
): ValueDistribution | null {
  const raw = params.get(name);
  if (raw === undefined) return null;
  try {
    return parseDistribution(raw, name);
  } catch (error) {
    throw new WorkloadSpecError(`${(error as Error).message} (in '${text}')`);
  }
}
