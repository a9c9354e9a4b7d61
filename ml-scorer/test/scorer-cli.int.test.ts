// `mlcache scorer` as a user or a container runs it: the real executable in a child process.
import { credentials } from '@grpc/grpc-js';
import type { Client } from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../../node/src/policy/features.ts';
import { exportOnnx } from '../src/export/onnx-export.ts';
import { ONLINE_GBDT_PARAMS } from '../src/learn/online-gbdt-params.ts';
import { loadScorerService } from '../src/serve/scorer-proto.ts';
import { trainGbdt } from '../src/train/gbdt.ts';
import { syntheticData } from '../src/train/synthetic-data.ts';

const BIN = join(import.meta.dirname, '../../bin/mlcache.js');
const F = FEATURE_COUNT;
type Child = ChildProcessByStdio<null, Readable, Readable>;

function spawnScorer(args: readonly string[]): { child: Child; exit: Promise<Exit> } {
  const child = spawn(process.execPath, [BIN, 'scorer', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<Exit>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, exit };
}

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts the scorer on free ports; resolves to its listening line. */
async function startScorer(args: readonly string[]): Promise<{
  child: Child;
  exit: Promise<Exit>;
  grpc: number;
  admin: number;
  stderr: () => string;
}> {
  const { child, exit } = spawnScorer([
    '--port',
    '0',
    '--admin-port',
    '0',
    '--log-level',
    'info',
    ...args,
  ]);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end !== -1) resolve(JSON.parse(out.slice(0, end)) as Record<string, unknown>);
    });
    void exit.then((e) => reject(new Error(`exited ${e.code} before listening: ${e.stderr}`)));
  });
  expect(Object.keys(line)).toEqual(['event', 'bind', 'grpc', 'admin', 'pid']);
  expect(line).toMatchObject({ event: 'listening', bind: '127.0.0.1', pid: child.pid });
  return {
    child,
    exit,
    grpc: line.grpc as number,
    admin: line.admin as number,
    stderr: () => stderr,
  };
}

type StatusCall = (
  request: object,
  options: object,
  callback: (
    error: Error | null,
    response: { model_version: number; models_refused: number },
  ) => void,
) => void;

function status(port: number): Promise<{ model_version: number; models_refused: number }> {
  const pkg = loadScorerService().grpcPackage as unknown as {
    mlcache: {
      v1: { Scorer: new (address: string, creds: unknown) => Client & { Status: StatusCall } };
    };
  };
  const raw = new pkg.mlcache.v1.Scorer(`127.0.0.1:${port}`, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    raw.Status({}, { deadline: Date.now() + 5000 }, (error, response) => {
      raw.close();
      if (error) reject(error);
      else resolve(response);
    });
  });
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('mlcache scorer (the executable)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlcache-scorer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const meta = {
    modelId: 'cli',
    trainedAt: '2026-11-25T00:00:00Z',
    trainingRows: 2000,
    trainerParams: {},
  };
  const data = syntheticData(2000, F, 3);
  const model = trainGbdt(data.rows, data.labels, F, { ...ONLINE_GBDT_PARAMS, seed: 2 });
  const good = exportOnnx(model, meta);
  const goodPath = join(dir, 'good.onnx');
  writeFileSync(goodPath, good);

  it('prints its options with --help and lists every bad option with exit status 2', async () => {
    const help = await spawnScorer(['--help']).exit;
    expect(help.code).toBe(0);
    for (const flag of [
      '--bind',
      '--port',
      '--admin-port',
      '--model',
      '--retrain-every',
      '--window-rows',
      '--seed',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    const bad = await spawnScorer(['--port', 'x', '--window-rows', '3']).exit;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('mlcache scorer: invalid configuration:');
    expect(bad.stderr).toContain("--port: 'x' is not a port");
    expect(bad.stderr).toContain('--window-rows:');
  });

  it('refuses a corrupt, missing or mismatched --model with exit status 2, naming the file and the code', async () => {
    const corruptPath = join(dir, 'corrupt.onnx');
    writeFileSync(corruptPath, good.subarray(0, good.length >> 1));
    const mismatchedPath = join(dir, 'v99.onnx');
    writeFileSync(
      mismatchedPath,
      exportOnnx({ ...model, featureSchemaVersion: FEATURE_SCHEMA_VERSION + 98 }, meta),
    );
    const cases: [string, string][] = [
      [corruptPath, 'MODEL_E_CORRUPT'],
      [join(dir, 'missing.onnx'), 'MODEL_E_IO'],
      [mismatchedPath, 'MODEL_E_FEATURE_VERSION'],
    ];
    for (const [path, code] of cases) {
      const exit = await spawnScorer(['--port', '0', '--admin-port', '0', '--model', path]).exit;
      expect(exit.code).toBe(2);
      expect(exit.stdout).toBe('');
      expect(exit.stderr).toContain(`mlcache scorer: cannot use --model ${path}: ${code}`);
    }
  });

  it('serves --model on port 0, keeps it when SIGHUP re-reads a bad file, reloads a good one, stops on SIGTERM', async () => {
    const modelPath = join(dir, 'served.onnx');
    writeFileSync(modelPath, good);
    const scorer = await startScorer(['--model', modelPath]);
    try {
      expect(await status(scorer.grpc)).toMatchObject({ model_version: 1, models_refused: 0 });
      expect((await fetch(`http://127.0.0.1:${scorer.admin}/readyz`)).status).toBe(200);

      writeFileSync(modelPath, 'not a model');
      scorer.child.kill('SIGHUP');
      await until(async () => (await status(scorer.grpc)).models_refused === 1);
      expect((await status(scorer.grpc)).model_version).toBe(1);
      expect(scorer.stderr()).toContain('model reload refused, the previous model stays');

      writeFileSync(modelPath, good);
      scorer.child.kill('SIGHUP');
      await until(async () => (await status(scorer.grpc)).model_version === 2);
    } finally {
      scorer.child.kill('SIGTERM');
    }
    const exit = await scorer.exit;
    expect(exit.code).toBe(0);
  });
});
