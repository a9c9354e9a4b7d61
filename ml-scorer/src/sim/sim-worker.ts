import { parentPort, workerData } from 'node:worker_threads';
import type { CellSpec } from './cells.ts';
import type { WorkerMessage } from './run-cells.ts';
import { runInThread } from './run-cells.ts';
import type { SourceSpec } from './trace-source.ts';

/** Entry point of a simulation worker thread: runs its cells and posts the results back. */
const { source, cells } = workerData as { source: SourceSpec; cells: CellSpec[] };
const post = (message: WorkerMessage): void => parentPort!.postMessage(message);

try {
  const results = await runInThread(source, cells, (requests) =>
    post({ type: 'progress', requests }),
  );
  post({ type: 'done', results });
} catch (error) {
  const code = (error as { code?: unknown } | null)?.code;
  post({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
    code: typeof code === 'string' ? code : undefined,
  });
}
