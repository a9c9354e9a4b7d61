/**
 * The write thread. The RocksDB binding writes on the calling thread, so a synced batch would
 * stop the event loop for the whole fsync; this worker attaches to the database the main thread
 * opened (by its native handle) and does the writes, while the event loop keeps serving and the
 * next group-commit batch accumulates. It never closes the database: the main thread owns it.
 *
 * Protocol (see rocks-writer.ts): workerData `{ handle }`; the worker posts `{ ready: true }` or
 * `{ ready: false, error }`; then for each `WriteRequest` it posts one `WriteReply`.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { dataRange, metaKey, META_SYNC_KEY, readBatch } from './codec.ts';
import { createRocksDb } from './rocksdb.ts';
import { toWireError, type WriteRequest, type WriteWorkerMessage } from './worker-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('write-worker.ts must run in a worker thread');
const { handle } = workerData as { handle: bigint };
const db = createRocksDb(handle);

try {
  await db.open();
  port.postMessage({ ready: true } satisfies WriteWorkerMessage);
} catch (error) {
  port.postMessage({ ready: false, error: toWireError(error) } satisfies WriteWorkerMessage);
}

// Requests are applied strictly in arrival order; the main thread sends one at a time anyway.
let queue = Promise.resolve();
port.on('message', (request: WriteRequest) => {
  queue = queue.then(async () => {
    try {
      await apply(request);
      port.postMessage({ id: request.id } satisfies WriteWorkerMessage);
    } catch (error) {
      port.postMessage({ id: request.id, error: toWireError(error) } satisfies WriteWorkerMessage);
    }
  });
});

async function apply(request: WriteRequest): Promise<void> {
  const batch = db.batch();
  const { clear } = readBatch(request.batch, {
    put: (key, value) => batch.put(key, value),
    delete: (key) => batch.del(key),
  });
  // The range deletion is its own (unsynced) WAL record, written before the batch so that puts
  // made after the FLUSHALL survive it; the synced batch write that follows makes both durable.
  if (clear) await db.clear(dataRange());
  // A synced write needs a WAL record to sync: give an otherwise empty batch one.
  if (batch.length === 0) batch.put(metaKey(META_SYNC_KEY), Buffer.alloc(0));
  await batch.write({ sync: request.sync });
}
