/**
 * Runs the trainer in a worker thread, so that a node or the scorer keeps serving while a model
 * trains (a 32×32 model on 256K rows takes seconds). The data go to the worker by transfer, not
 * by copy, and the model comes back the same way.
 */
import { Worker } from 'node:worker_threads';
import type { GbdtParams } from './params.ts';
import type { TreeEnsemble } from './tree-ensemble.ts';

/** What the worker receives. */
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
  /** Aborting terminates the worker and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Trains like `trainGbdt` (same model for the same data and seed) in a new worker thread.
 * `rows` and `labels` are transferred: their buffers are detached when this returns, so pass
 * copies (RowReservoir.snapshot() makes them) if you still need the data.
 */
export function trainInWorker(
  rows: Float32Array,
  labels: Float32Array,
  nFeatures: number,
  params: Partial<GbdtParams> = {},
  options: TrainInWorkerOptions = {},
): Promise<TreeEnsemble> {
  const { signal } = options;
  if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
  const workerData: TrainRequest = { rows, labels, nFeatures, params };
  const worker = new Worker(new URL('./train-worker.ts', import.meta.url), {
    workerData,
    transferList: transferable([rows, labels]),
  });
  return new Promise<TreeEnsemble>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      settle(() => reject(signal?.reason as Error));
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (response: TrainResponse) => {
      settle(() => {
        if (response.ok) resolve(response.model);
        else reject(Object.assign(new Error(response.message), { name: response.name }));
      });
    });
    worker.once('error', (error: unknown) => {
      settle(() => reject(error instanceof Error ? error : new Error(String(error))));
    });
    worker.once('exit', (code) => {
      settle(() => reject(new Error(`training worker exited with code ${code} before answering`)));
    });
  });
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
