/**
 * Entry point of the training worker thread (started by train-in-worker.ts). The thread is
 * long-lived: each message is one job, trained on the rows it carries, and answered with one
 * message holding the model (its arrays transferred) or the trainer's error. Jobs come one at a
 * time; the thread ends when its owner terminates it.
 */
import { parentPort } from 'node:worker_threads';
import { trainGbdt } from './gbdt.ts';
import type { TrainRequest, TrainResponse } from './train-in-worker.ts';
import { modelBuffers } from './train-in-worker.ts';

const port = parentPort;
if (port === null) throw new Error('train-worker.ts must run in a worker thread');
port.on('message', (request: TrainRequest) => {
  let response: TrainResponse;
  try {
    const model = trainGbdt(request.rows, request.labels, request.nFeatures, request.params);
    response = { ok: true, model };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    response = { ok: false, name: e.name, message: e.message };
  }
  port.postMessage(response, response.ok ? modelBuffers(response.model) : []);
});
