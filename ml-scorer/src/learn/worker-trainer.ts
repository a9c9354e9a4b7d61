/**
 * The trainer port for a node: each job trains in a worker thread (train-in-worker.ts), so the
 * event loop keeps serving while the policy keeps evicting with its current model. The rows are
 * the policy's own copies, transferred to the worker. `close()` aborts a training in flight.
 */
import type { TrainerPort, TrainingJob } from '../../../node/src/policy/scorer-port.ts';
import type { TreeEnsemble } from '../../../node/src/policy/tree-model.ts';
import type { GbdtParams } from '../train/params.ts';
import { trainInWorker } from '../train/train-in-worker.ts';
import { ONLINE_GBDT_PARAMS } from './online-gbdt-params.ts';

export interface WorkerTrainer extends TrainerPort {
  train(job: TrainingJob): Promise<TreeEnsemble>;
  /** Aborts the training in flight, if any (its Promise rejects). */
  close(): void;
}

export function createWorkerTrainer(
  params: Partial<GbdtParams> = ONLINE_GBDT_PARAMS,
): WorkerTrainer {
  let controller = new AbortController();
  return {
    train(job: TrainingJob): Promise<TreeEnsemble> {
      return trainInWorker(
        job.rows,
        job.labels,
        job.nFeatures,
        { ...params, seed: job.seed },
        { signal: controller.signal },
      );
    },
    close(): void {
      controller.abort(new Error('the trainer was closed'));
      controller = new AbortController();
    },
  };
}
