/**
 * The trainer port bound to the GBDT in the calling thread: `train` returns the model itself,
 * so the policy installs it before the next request and a simulation is reproducible from its
 * seed. It also keeps the CPU time it spent, which the simulator's reports separate from replay.
 */
import type { TrainerPort, TrainingJob } from '../../../node/src/policy/scorer-port.ts';
import type { TreeEnsemble } from '../../../node/src/policy/tree-model.ts';
import { trainGbdt } from '../train/gbdt.ts';
import type { GbdtParams } from '../train/params.ts';
import { ONLINE_GBDT_PARAMS } from './online-gbdt-params.ts';

export interface SyncTrainer extends TrainerPort {
  train(job: TrainingJob): TreeEnsemble;
  /** Models trained, and the wall time spent training them, in ms. */
  readonly trainings: number;
  readonly trainingMs: number;
}

export function createSyncTrainer(params: Partial<GbdtParams> = ONLINE_GBDT_PARAMS): SyncTrainer {
  let trainings = 0;
  let trainingMs = 0;
  return {
    train(job: TrainingJob): TreeEnsemble {
      const started = performance.now();
      const model = trainGbdt(job.rows, job.labels, job.nFeatures, { ...params, seed: job.seed });
      trainingMs += performance.now() - started;
      trainings++;
      return model;
    },
    get trainings() {
      return trainings;
    },
    get trainingMs() {
      return trainingMs;
    },
  };
}
