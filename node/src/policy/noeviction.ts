import type { EvictionPolicy, PolicyOptions } from './eviction-policy.ts';

/**
 * Redis's `noeviction`: nothing is ever chosen as a victim, so a write that does not fit in the
 * budget is refused (the store answers OOM) instead of pushing other keys out. It keeps no state.
 */
export function createNoEvictionPolicy(_options: PolicyOptions): EvictionPolicy {
  return {
    name: 'noeviction',
    onMiss: () => {},
    onInsert: () => {},
    onAccess: () => {},
    onUpdate: () => {},
    onRemove: () => {},
    evict: () => -1,
    candidates: () => 0,
    clear: () => {},
  };
}
