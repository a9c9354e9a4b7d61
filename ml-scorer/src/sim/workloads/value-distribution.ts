/**
 * Per-key values (object sizes, TTLs) drawn from a distribution but fixed per key: the value is a
 * function of (seed, key), computed from a hash in O(1) without a table, so an object keeps its
 * size every time it is requested and the same seed gives the same sizes.
 *
 * Spec grammar: `fixed:N` (or just `N`), `uniform:A-B` (integers A..B), `lognormal:MU,SIGMA`
 * (exp of a normal; rounded, at least 1).
 */
export type ValueDistribution =
  | { readonly kind: 'fixed'; readonly value: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  | { readonly kind: 'lognormal'; readonly mu: number; readonly sigma: number };

/** Parses a distribution spec; throws RangeError with the accepted forms on bad input. */
export function parseDistribution(text: string, what: string): ValueDistribution {
  const [kind, args = ''] = text.includes(':') ? splitOnce(text, ':') : ['fixed', text];
  const fail = (): never => {
    throw new RangeError(
      `${what}=${text}: expected fixed:N (or N), uniform:A-B or lognormal:MU,SIGMA`,
    );
  };
  if (kind === 'fixed') {
    const value = Number(args);
    if (args === '' || !(value >= 0) || !Number.isFinite(value)) fail();
    return { kind, value };
  }
  if (kind === 'uniform') {
    const [a, b] = args.split('-').map(Number);
    if (
      a === undefined ||
      b === undefined ||
      !Number.isSafeInteger(a) ||
      !Number.isSafeInteger(b) ||
      a < 0 ||
      b < a
    ) {
      fail();
    }
    return { kind, min: a!, max: b! };
  }
  if (kind === 'lognormal') {
    const [mu, sigma] = args.split(',').map(Number);
    if (mu === undefined || sigma === undefined || !Number.isFinite(mu) || !(sigma >= 0)) fail();
    return { kind, mu: mu!, sigma: sigma! };
  }
  return fail();
}

/** The value of `key` under the distribution, with `salt` keeping sizes and TTLs independent. */
export function valueForKey(
  dist: ValueDistribution,
  key: number,
  seed: number,
  salt: number,
): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return dist.min + Math.floor(unitHash(key, seed, salt) * (dist.max - dist.min + 1));
    case 'lognormal': {
      // Box-Muller from two independent hashed uniforms; u1 in (0, 1] so the log is finite.
      const u1 = 1 - unitHash(key, seed, salt);
      const u2 = unitHash(key, seed, salt + 1);
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      return Math.max(1, Math.round(Math.exp(dist.mu + dist.sigma * z)));
    }
  }
}

/** A uniform number in [0, 1) from (key, seed, salt); keys are integers below 2^53. */
export function unitHash(key: number, seed: number, salt: number): number {
  let h = Math.imul((key >>> 0) ^ Math.imul(seed | 0, 0x9e3779b1), 0x85ebca6b);
  h ^= Math.imul(((key / 4294967296) | 0) ^ salt, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return [text.slice(0, at), text.slice(at + 1)];
}
