import type { EvictionPolicy, PolicyFactory } from '../../../node/src/policy/eviction-policy.ts';

/**
 * A FIFO written for tests only, independent of the registry, so that simulator semantics can be
 * checked against hand-counted hits even before (or without) the registry's own FIFO.
 */
export const referenceFifo: PolicyFactory = () => {
  const queue: number[] = [];
  const policy: EvictionPolicy = {
    name: 'test-fifo',
    onMiss: () => {},
    onInsert: (slot) => void queue.push(slot),
    onAccess: () => {},
    onUpdate: () => {},
    onRemove: (slot) => void queue.splice(queue.indexOf(slot), 1),
    evict: () => queue.shift() ?? -1,
    candidates: (out, max) => {
      const n = Math.min(max, queue.length);
      for (let i = 0; i < n; i++) out[i] = queue[i]!;
      return n;
    },
    clear: () => void (queue.length = 0),
  };
  return policy;
};
