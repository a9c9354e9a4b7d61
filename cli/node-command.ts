/**
 * `mlcache node` as the CLI runs it: the node's composition root (node/src/main.ts) with the
 * ports a learned policy needs and the node may not import (docs/architecture.md): the worker
 * trainer and the ONNX decoder (files, and the bytes the scorer service publishes) from
 * ml-scorer, and the scorer service client.
 */
import { join } from 'node:path';
import { importOnnx, readOnnxModel } from '../ml-scorer/src/export/onnx-import.ts';
import { createWorkerTrainer } from '../ml-scorer/src/learn/worker-trainer.ts';
import { run as runNode } from '../node/src/main.ts';
import type { MlPorts } from '../node/src/learned-policy-setup.ts';
import { createScorerClient } from '../node/src/scorer-client/scorer-client.ts';

/** The model `--model default` loads: trained on synthetic workloads (ml-scorer/models/README.md). */
export const DEFAULT_MODEL_PATH = join(import.meta.dirname, '../ml-scorer/models/default.onnx');

/** The learned-policy ports, bound to ml-scorer and the scorer client. */
export function createMlPorts(defaultModelPath: string = DEFAULT_MODEL_PATH): MlPorts {
  return {
    createTrainer: () => createWorkerTrainer(),
    loadModel: async (source) => {
      const path = source === 'default' ? defaultModelPath : source;
      const { model, modelId } = await readOnnxModel(path);
      return { model, path, modelId };
    },
    decodeModel: (onnx, origin) => {
      const { model, modelId } = importOnnx(onnx);
      return { model, path: origin, modelId };
    },
    createScorerClient: (options) => createScorerClient(options),
  };
}

/** `mlcache node`; resolves to the exit code. */
export function run(argv: string[]): Promise<number> {
  return runNode(argv, { ml: createMlPorts() });
}
