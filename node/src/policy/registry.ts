import type { PolicyFactory } from './eviction-policy.ts';
import { createArcPolicy } from './arc.ts';
import { createFifoPolicy } from './fifo.ts';
import { createLfuPolicy } from './lfu.ts';
import { createLruPolicy } from './lru.ts';
import { createNoEvictionPolicy } from './noeviction.ts';
import { createS3FifoPolicy } from './s3fifo.ts';
import { createSievePolicy } from './sieve.ts';
import { createWTinyLfuFixedPolicy, createWTinyLfuPolicy } from './wtinylfu.ts';

/**
 * Every online policy by its `--policy` name. The node and the simulator both build policies
 * from this table, so that a simulated policy is exactly the one a node runs.
 */
export const POLICIES: Readonly<Record<string, PolicyFactory>> = {
  lru: createLruPolicy,
  lfu: createLfuPolicy,
  noeviction: createNoEvictionPolicy,
  fifo: createFifoPolicy,
  arc: createArcPolicy,
  sieve: createSievePolicy,
  s3fifo: createS3FifoPolicy,
  wtinylfu: createWTinyLfuPolicy,
  'wtinylfu-fixed': createWTinyLfuFixedPolicy,
};

/** The names accepted by `--policy`, in a stable order for help texts. */
export function policyNames(): string[] {
  return Object.keys(POLICIES);
}

/** Looks a policy up by name; undefined when there is none. */
export function findPolicy(name: string): PolicyFactory | undefined {
  return Object.hasOwn(POLICIES, name) ? POLICIES[name] : undefined;
}
