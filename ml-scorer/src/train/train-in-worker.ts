/**
 * Runs the trainer in a worker thread, so that a node or the scorer keeps serving while a model
 * trains (a 32×32 model on 256K rows takes seconds). The data go to the worker by transfer, not
 * by copy, and the model comes back the same way.
 *
 * A `TrainingWorker` keeps one thread for all its jobs: starting a thread loads and strips the
 * trainer's TypeScript modules again, about 0.1 s of CPU, which a node retraining every 10 s
 * paid on every training. The thread starts at the first job, runs the jobs one at a time, and
 * is replaced only when it dies (a crash, an abort, `close()`).
 */
import { Worker } from 'node:worker_threads';
import type { GbdtParams } from './params.ts';
import type { TreeEnsemble } from './tree-ensemble.ts';

/** One job, as the worker receives it. */
export interface TrainRequest {
  readonly rows: Float32Array;
  readonly labels: Float32Array;
  readonly nFeatures: number;
  readonly params: Partial<GbdtParams>;
}

/** What the worker answers. */
export type TrainResponse =
  | { readonly ok: true; readonly model: TreeEnsemble }
  | { readonly ok: false; readonly name: string; readonly message: string };

export interface TrainInWorkerOptions {
  /** Aborting rejects the job with the signal's reason; a job already running ends its thread. */
  readonly signal?: AbortSignal;
}

export interface TrainingWorkerOptions {
  /**
   * Whether the thread lets the process exit while it is idle or training (a node or a service
   * closes it on shutdown). A one-shot caller awaiting a model needs it to keep the process up.
   * @default true
   */
  readonly unref?: boolean;
  /** The worker's entry script (tests stand in a crashing one). @default train-worker.ts */
  readonly entry?: URL;
}

interface Job {
  readonly request: TrainRequest;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (model: TreeEnsemble) => void;
  readonly reject: (error: Error) => void;
  readonly onAbort: () => void;
}

const TRAIN_WORKER = new URL('./train-worker.ts', import.meta.url);

/** A long-lived training thread, started lazily, reused for every job, restarted when it dies. */
export class TrainingWorker {
  readonly #unref: boolean;
  readonly #entry: URL;
  #worker: Worker | undefined;
  #running: Job | undefined;
  readonly #queue: Job[] = [];

  constructor(options: TrainingWorkerOptions = {}) {
    this.#unref = options.unref ?? true;
    this.#entry = options.entry ?? TRAIN_WORKER;
  }

  /** The running thread's id, or undefined while none runs (before the first job, after close). */
  get threadId(): number | undefined {
    return this.#worker?.threadId;
  }

  /**
   * Trains like `trainGbdt` (same model for the same data and seed) in the worker thread, after
   * the jobs queued before it. `rows` and `labels` are transferred when the job starts: their
   * buffers are then detached, so pass copies (RowReservoir.snapshot() makes them) if you still
   * need the data.
   */
  train(
    rows: Float32Array,
    labels: Float32Array,
    nFeatures: number,
    params: Partial<GbdtParams> = {},
    options: TrainInWorkerOptions = {},
  ): Promise<TreeEnsemble> {
    const { signal } = options;
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    return new Promise<TreeEnsemble>((resolve, reject) => {
      const job: Job = {
        request: { rows, labels, nFeatures, params },
        signal,
        resolve,
        reject,
        onAbort: () => this.#abort(job, signal?.reason as Error),
      };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      this.#queue.push(job);
      this.#next();
    });
  }

  /** Ends the thread and rejects the job in flight and the queued ones with `reason`. */
  close(reason: Error = new Error('the training worker was closed')): void {
    const jobs = this.#running === undefined ? this.#queue : [this.#running, ...this.#queue];
    this.#running = undefined;
    this.#queue.length = 0;
    this.#stop();
    for (const job of jobs) settle(job, () => job.reject(reason));
  }

  #next(): void {
    if (this.#running !== undefined) return;
    const job = this.#queue.shift();
    if (job === undefined) return;
    this.#running = job;
    const { rows, labels } = job.request;
    try {
      this.#thread().postMessage(job.request, transferable([rows, labels]));
    } catch (error) {
      // Data that cannot be sent (a detached buffer): this job fails, the thread stays.
      this.#running = undefined;
      settle(job, () => job.reject(error instanceof Error ? error : new Error(String(error))));
      this.#next();
    }
  }

  #thread(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(this.#entry);
    worker.on('message', (response: TrainResponse) => {
      const job = this.#running;
      if (job === undefined || worker !== this.#worker) return;
      this.#running = undefined;
      settle(job, () => {
        if (response.ok) job.resolve(response.model);
        else job.reject(Object.assign(new Error(response.message), { name: response.name }));
      });
      this.#next();
    });
    worker.on('error', (error: unknown) => {
      this.#died(worker, error instanceof Error ? error : new Error(String(error)));
    });
    worker.on('exit', (code) => {
      this.#died(worker, new Error(`training worker exited with code ${code} before answering`));
    });
    // After the listeners: adding a 'message' listener refs the worker again.
    if (this.#unref) worker.unref();
    this.#worker = worker;
    return worker;
  }

  /** The thread crashed or exited: its job fails, the next job gets a fresh thread. */
  #died(worker: Worker, error: Error): void {
    if (worker !== this.#worker) return; // already replaced (aborted, closed)
    this.#worker = undefined;
    void worker.terminate();
    const job = this.#running;
    this.#running = undefined;
    if (job !== undefined) settle(job, () => job.reject(error));
    this.#next();
  }

  #abort(job: Job, reason: Error): void {
    if (job === this.#running) {
      // A synchronous training cannot be interrupted: end its thread.
      this.#running = undefined;
      this.#stop();
    } else {
      const i = this.#queue.indexOf(job);
      if (i >= 0) this.#queue.splice(i, 1);
    }
    settle(job, () => job.reject(reason));
    this.#next();
  }

  #stop(): void {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) void worker.terminate();
  }
}

function settle(job: Job, fn: () => void): void {
  job.signal?.removeEventListener('abort', job.onAbort);
  fn();
}

/**
 * Trains once in a thread of its own, which ends with the job (and keeps the process up until
 * then); see `TrainingWorker.train`. A caller training repeatedly should keep a TrainingWorker.
 */
export async function trainInWorker(
  rows: Float32Array,
  labels: Float32Array,
  nFeatures: number,
  params: Partial<GbdtParams> = {},
  options: TrainInWorkerOptions = {},
): Promise<TreeEnsemble> {
  const worker = new TrainingWorker({ unref: false });
  try {
    return await worker.train(rows, labels, nFeatures, params, options);
  } finally {
    worker.close();
  }
}

/** The distinct ArrayBuffers of a model's typed arrays, for a postMessage transfer list. */
export function modelBuffers(model: TreeEnsemble): ArrayBuffer[] {
  return transferable(
    model.trees.flatMap((t) => [t.feature, t.threshold, t.left, t.right, t.value]),
  );
}

/** Distinct, transferable (not shared) buffers behind the given arrays. */
function transferable(arrays: readonly ArrayBufferView[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  return [...out];
}
