import { createRandom } from '../../../../node/src/util/random.ts';
import type { RequestBatch } from '../../data/request-batch.ts';
import { BatchBuilder, DEFAULT_BATCH_SIZE } from '../../data/request-batch.ts';
import { valueForKey } from './value-distribution.ts';
import type { WorkloadSpec } from './workload-spec.ts';
import { ZipfSampler } from './zipf-sampler.ts';

/** Salts that keep a key's size and TTL independent draws. */
const SIZE_SALT = 0x5a17;
const TTL_SALT = 0x7711;

/**
 * Generates a synthetic workload as batches. Everything comes from the spec's seed: the same spec
 * gives the same requests, byte for byte, on every run and machine.
 */
export function* generateWorkload(
  spec: WorkloadSpec,
  batchSize = DEFAULT_BATCH_SIZE,
): Generator<RequestBatch> {
  const nextKey = keyStream(spec);
  const builder = new BatchBuilder(Math.min(batchSize, spec.requests), spec.ttl !== null);
  for (let i = 0; i < spec.requests; i++) {
    const key = nextKey(i);
    const size = valueForKey(spec.sizes, key, spec.seed, SIZE_SALT);
    const ttl = spec.ttl === null ? 0 : valueForKey(spec.ttl, key, spec.seed, TTL_SALT);
    builder.push(i / spec.rate, key, size, ttl);
    if (builder.length >= batchSize) yield builder.take();
  }
  if (builder.length > 0) yield builder.take();
}

/** The key of request i, by workload kind. */
function keyStream(spec: WorkloadSpec): (i: number) => number {
  const random = createRandom(spec.seed);
  const zipf = new ZipfSampler(spec.keys, spec.alpha, random);
  switch (spec.kind) {
    case 'zipf':
      return () => zipf.next();
    case 'uniform':
      return () => 1 + random.int(spec.keys);
    case 'shifting': {
      const step = Math.round(spec.shift * spec.keys);
      return (i) => zipf.next() + Math.floor(i / spec.period) * step;
    }
    case 'loop': {
      let position = 0;
      return () =>
        random.next() < spec.share ? spec.keys + 1 + (position++ % spec.loop) : zipf.next();
    }
    case 'onehit': {
      let fresh = 0;
      return () => (random.next() < spec.share ? spec.keys + 1 + fresh++ : zipf.next());
    }
  }
}
