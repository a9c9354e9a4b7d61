import type { PolicyFactory } from '../../../node/src/policy/eviction-policy.ts';
import { findPolicy, policyNames } from '../../../node/src/policy/registry.ts';
import { createBeladySizePolicy } from './belady-size.ts';
import { createBeladyPolicy } from './belady.ts';
import { LEARNED_POLICIES } from './learned-policies.ts';

/**
 * The policies `mlcache sim` can run: every online policy of the node's registry (the very code
 * a node runs, no copy) plus the offline references, which exist only here.
 *
 * `belady` picks the variant that fits the budget: exact MIN for an object budget (ignoreSize),
 * libCacheSim's sampled size-aware variant for a byte budget. `belady-size` forces the latter.
 */
const ORACLES: Readonly<Record<string, (ignoreSize: boolean) => PolicyFactory>> = {
  belady: (ignoreSize) => (ignoreSize ? createBeladyPolicy : createBeladySizePolicy),
  'belady-size': () => createBeladySizePolicy,
};

/** Registry policies that are not eviction policies and so are left out of the default list. */
const NOT_EVICTING = new Set(['noeviction']);

/** Every name `--policies` accepts. */
export function simPolicyNames(): string[] {
  return [...policyNames(), ...Object.keys(LEARNED_POLICIES), ...Object.keys(ORACLES)];
}

/** The default `--policies`: every evicting registry policy, then Belady. */
export function defaultPolicyNames(): string[] {
  return [...policyNames().filter((name) => !NOT_EVICTING.has(name)), 'belady'];
}

/** Whether a name is an offline reference rather than an online policy. */
export function isOracleName(name: string): boolean {
  return Object.hasOwn(ORACLES, name);
}

/** The factory for a policy name in the given mode; undefined for unknown names. */
export function resolvePolicy(name: string, ignoreSize: boolean): PolicyFactory | undefined {
  if (Object.hasOwn(ORACLES, name)) return ORACLES[name]!(ignoreSize);
  if (Object.hasOwn(LEARNED_POLICIES, name)) return LEARNED_POLICIES[name];
  return findPolicy(name);
}
