/**
 * The trainer port for a node: each job trains in the trainer's worker thread (a long-lived
 * TrainingWorker, train-in-worker.ts), so the event loop keeps serving while the policy keeps
 * evicting with its current model. The rows are the policy's own copies, transferred to the
 * worker. The thread starts at the first job, is reused for every later one, never keeps the
 * process alive, and is replaced if it dies. `close()` ends it and rejects the training in
 * flight; a later job would start a new thread.
 */
import type { TrainerPort, TrainingJob } from '../../../node/src/policy/scorer-port.ts';
import type { TreeEnsemble } from '../../../node/src/policy/tree-model.ts';
import type { GbdtParams } from '../train/params.ts';
import type { TrainingWorkerOptions } from '../train/train-in-worker.ts';
import { TrainingWorker } from '../train/train-in-worker.ts';
import { ONLINE_GBDT_PARAMS } from './online-gbdt-params.ts';

export interface WorkerTrainer extends TrainerPort {
  train(job: TrainingJob): Promise<TreeEnsemble>;
  /** Ends the worker thread; the training in flight, if any, rejects. */
  close(): void;
  /** The worker thread's id while one runs (for tests and diagnostics). */
  readonly threadId: number | undefined;
}

export function createWorkerTrainer(
  params: Partial<GbdtParams> = ONLINE_GBDT_PARAMS,
  options: Pick<TrainingWorkerOptions, 'entry'> = {},
): WorkerTrainer {
  const worker = new TrainingWorker({ ...options, unref: true });
  return {
    train(job: TrainingJob): Promise<TreeEnsemble> {
      return worker.train(job.rows, job.labels, job.nFeatures, { ...params, seed: job.seed });
    },
    close(): void {
      worker.close(new Error('the trainer was closed'));
    },
    get threadId(): number | undefined {
      return worker.threadId;
    },
  };
}
