/**
 * The learned policies for the simulator's policy table: ML+LRU and ML+LFU (the node's
 * ml-hybrid.ts) with a synchronous trainer bound, so that each simulated cache retrains at
 * deterministic points and a run is reproducible from its seed. Each cache gets its own trainer
 * and learns online from its own past requests only; no model is trained ahead on the traces.
 */
import type { PolicyFactory } from '../../../node/src/policy/eviction-policy.ts';
import type { MlBase } from '../../../node/src/policy/ml-hybrid.ts';
import { createMlHybridPolicy } from '../../../node/src/policy/ml-hybrid.ts';
import type { MlHybridParams } from '../../../node/src/policy/ml-hybrid-params.ts';
import { createSyncTrainer } from '../learn/sync-trainer.ts';

/** A learned-policy factory with a synchronous trainer; `params` override the defaults. */
export function learnedPolicyFactory(
  base: MlBase,
  params: Partial<MlHybridParams> = {},
): PolicyFactory {
  return (options) =>
    createMlHybridPolicy({ ...options, base, trainer: createSyncTrainer(), params });
}

/** The learned policies by their `--policies` names. */
export const LEARNED_POLICIES: Readonly<Record<string, PolicyFactory>> = {
  'ml-lru': learnedPolicyFactory('lru'),
  'ml-lfu': learnedPolicyFactory('lfu'),
};
