/**
 * Entry point of the training worker thread (started by train-in-worker.ts): trains on the rows
 * it was handed and posts the model back, transferring its arrays.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { trainGbdt } from './gbdt.ts';
import type { TrainRequest, TrainResponse } from './train-in-worker.ts';
import { modelBuffers } from './train-in-worker.ts';

const port = parentPort;
if (port === null) throw new Error('train-worker.ts must run in a worker thread');
const request = workerData as TrainRequest;
let response: TrainResponse;
try {
  const model = trainGbdt(request.rows, request.labels, request.nFeatures, request.params);
  response = { ok: true, model };
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  response = { ok: false, name: e.name, message: e.message };
}
port.postMessage(response, response.ok ? modelBuffers(response.model) : []);
