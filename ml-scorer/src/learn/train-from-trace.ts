/**
 * What `mlcache train` does, without the command line: replays a trace (or a synthetic
 * workload) through ML+LRU with its online sampling and synchronous retraining, exactly as the
 * simulator runs it, and hands back the last model the policy installed, with what it took.
 */
import { createMlHybridPolicy } from '../../../node/src/policy/ml-hybrid.ts';
import type { MlHybridPolicy } from '../../../node/src/policy/ml-hybrid.ts';
import type { MlHybridParams } from '../../../node/src/policy/ml-hybrid-params.ts';
import type { MlHybridStats } from '../../../node/src/policy/ml-hybrid-stats.ts';
import type { TreeEnsemble } from '../../../node/src/policy/tree-model.ts';
import type { SimResult } from '../sim/sim-result.ts';
import { simulateMany } from '../sim/simulator.ts';
import type { TraceInput } from '../sim/simulator.ts';
import type { GbdtParams } from '../train/params.ts';
import { ONLINE_GBDT_PARAMS } from './online-gbdt-params.ts';
import { createSyncTrainer } from './sync-trainer.ts';

export interface TrainFromTraceOptions {
  /** Objects with ignoreSize, else bytes. */
  readonly capacity: number;
  readonly ignoreSize: boolean;
  /** @default 1 */
  readonly seed?: number;
  readonly params?: Partial<MlHybridParams>;
  readonly gbdt?: Partial<GbdtParams>;
}

export interface TrainedFromTrace {
  /** The last model installed; null if the trace was too short to train one that validated. */
  readonly model: TreeEnsemble | null;
  readonly stats: MlHybridStats;
  /** The replay's own miss ratios (the policy learning as it went). */
  readonly result: SimResult;
  /** Rows the returned model was trained on. */
  readonly trainingRows: number;
  readonly trainingMs: number;
}

export async function trainFromTrace(
  source: TraceInput,
  options: TrainFromTraceOptions,
): Promise<TrainedFromTrace> {
  const gbdt = { ...ONLINE_GBDT_PARAMS, ...options.gbdt };
  const base = createSyncTrainer(gbdt);
  const rowsOf = new WeakMap<TreeEnsemble, number>();
  const trainer = {
    train: (job: Parameters<typeof base.train>[0]): TreeEnsemble => {
      const model = base.train(job);
      rowsOf.set(model, job.labels.length);
      return model;
    },
  };
  let policy: MlHybridPolicy | undefined;
  const [result] = await simulateMany(source, [
    {
      factory: (o) =>
        (policy = createMlHybridPolicy({
          ...o,
          base: 'lru',
          trainer,
          params: options.params ?? {},
        })),
      capacity: options.capacity,
      ignoreSize: options.ignoreSize,
      seed: options.seed ?? 1,
    },
  ]);
  const trained = policy!;
  const model = trained.currentModel();
  return {
    model,
    stats: trained.stats(),
    result: result!,
    trainingRows: model === null ? 0 : (rowsOf.get(model) ?? 0),
    trainingMs: base.trainingMs,
  };
}
