import type { PolicyFactory } from './eviction-policy.ts';
import { createLfuPolicy } from './lfu.ts';
import { createLruPolicy } from './lru.ts';

/**
 * Every online policy by its `--policy` name. The node and the simulator both build policies
 * from this table, so that a simulated policy is exactly the one a node runs.
 */
export const POLICIES: Readonly<Record<string, PolicyFactory>> = {
  lru: createLruPolicy,
  lfu: createLfuPolicy,
};

/** The names accepted by `--policy`, in a stable order for help texts. */
export function policyNames(): string[] {
  return Object.keys(POLICIES);
}

/** Looks a policy up by name; undefined when there is none. */
export function findPolicy(name: string): PolicyFactory | undefined {
  return Object.hasOwn(POLICIES, name) ? POLICIES[name] : undefined;
}
