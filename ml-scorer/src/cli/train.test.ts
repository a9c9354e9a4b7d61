import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../../../node/src/policy/features.ts';
import { predict } from '../../../node/src/policy/tree-model.ts';
import { createRandom } from '../../../node/src/util/random.ts';
import { inspectOnnx } from '../export/onnx-inspect.ts';
import { META } from '../export/onnx-schema.ts';
import { trainFromTrace } from '../learn/train-from-trace.ts';
import { OnnxScorer } from '../serve/onnx-session.ts';
import { openSource } from '../sim/trace-source.ts';
import { runTrain } from './train.ts';

const WORKLOAD = 'onehit:keys=4000,requests=60000,alpha=0.9,share=0.3,seed=5';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      now: () => new Date('2026-11-25T12:00:00.000Z'),
    },
  };
}

describe('mlcache train', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlcache-train-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('trains on a synthetic workload and writes a model the validated ONNX loader accepts', async () => {
    const out = join(dir, 'model.onnx');
    const { io: sink, out: stdout } = io();
    const code = await runTrain(
      ['--workload', WORKLOAD, '--size', '400', '--ignore-size', '--out', out],
      sink,
    );
    expect(code).toBe(0);
    expect(stdout.join('')).toMatch(/^wrote .*model\.onnx: model \d+ of \d+ trainings/);

    const info = inspectOnnx(await readFile(out));
    expect(info.metadata[META.featureSchemaVersion]).toBe(String(FEATURE_SCHEMA_VERSION));
    expect(info.metadata[META.trainedAt]).toBe('2026-11-25T12:00:00.000Z');
    const params = JSON.parse(info.metadata[META.trainerParams]!) as Record<string, unknown>;
    expect(params).toMatchObject({ policy: 'ml-lru', capacity: 400, ignoreSize: true, seed: 1 });
    expect(Number(info.metadata[META.trainingRows])).toBeGreaterThan(0);

    // The file scores like the model the same (deterministic) replay trains in TS.
    const scorer = await OnnxScorer.load(out);
    const again = await trainFromTrace(openSource({ kind: 'workload', spec: WORKLOAD }), {
      capacity: 400,
      ignoreSize: true,
    });
    const random = createRandom(3);
    const n = 200;
    const rows = Float32Array.from({ length: n * FEATURE_COUNT }, () => random.int(5000));
    const expected = new Float64Array(n);
    predict(again.model!, rows, FEATURE_COUNT, expected);
    const actual = await scorer.score(rows, n);
    for (let i = 0; i < n; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 4);
    await scorer.close();
  });

  it('refuses bad arguments with exit code 2', async () => {
    const { io: sink, err } = io();
    expect(await runTrain(['--size', '10', '--out', join(dir, 'x.onnx')], sink)).toBe(2);
    expect(err.join('')).toMatch(/--trace or --workload/);
    expect(await runTrain(['--workload', WORKLOAD, '--out', 'x.onnx'], sink)).toBe(2);
    expect(await runTrain(['--workload', 'nope:x=1', '--size', '9', '--out', 'x'], sink)).toBe(2);
    expect(
      await runTrain(['--trace', join(dir, 'missing.csv'), '--size', '9', '--out', 'x'], sink),
    ).toBe(2);
  });

  it('prints its usage with --help', async () => {
    const { io: sink, out } = io();
    expect(await runTrain(['--help'], sink)).toBe(0);
    expect(out.join('')).toMatch(/^Usage: mlcache train/);
  });
});
