import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainGbdt } from './gbdt.ts';
import { syntheticData } from './synthetic-data.ts';
import { TrainingWorker, trainInWorker } from './train-in-worker.ts';
import type { TreeEnsemble } from './tree-ensemble.ts';

function flat(model: TreeEnsemble): number[][] {
  return model.trees.flatMap((t) =>
    [t.feature, t.threshold, t.left, t.right, t.value].map((a) => Array.from(a)),
  );
}

/**
 * A stand-in worker entry: answers each job with its own threadId as the "model", exits with
 * code 3 on a job of 0 features and throws (an uncaught error) on a job of 1 feature.
 */
const FAKE_ENTRY = new URL(
  'data:text/javascript,' +
    encodeURIComponent(`
      import { parentPort, threadId } from 'node:worker_threads';
      parentPort.on('message', (job) => {
        if (job.nFeatures === 0) process.exit(3);
        if (job.nFeatures === 1) throw new Error('boom in the worker');
        parentPort.postMessage({ ok: true, model: { threadId, rows: job.rows.length } });
      });
    `),
);

/** The fake entry's answer. */
async function fakeThread(training: Promise<TreeEnsemble>): Promise<number> {
  return ((await training) as unknown as { threadId: number }).threadId;
}

const small = (): Float32Array => new Float32Array(4);

describe('trainInWorker', () => {
  it('produces the same model as the in-thread trainer for the same seed', async () => {
    const data = syntheticData(8_000, 5, 21);
    const params = { seed: 9, trees: 12 };
    const local = trainGbdt(data.rows, data.labels, 5, params);
    const rows = data.rows.slice();
    const labels = data.labels.slice();
    const remote = await trainInWorker(rows, labels, 5, params);
    // The inputs were transferred, not copied.
    expect(rows.byteLength).toBe(0);
    expect(labels.byteLength).toBe(0);
    expect(remote.baseScore).toBe(local.baseScore);
    expect(remote.featureSchemaVersion).toBe(local.featureSchemaVersion);
    expect(remote.trees[0]!.threshold).toBeInstanceOf(Float32Array);
    expect(flat(remote)).toEqual(flat(local));
  });

  it('rejects with the trainer error', async () => {
    const bad = trainInWorker(new Float32Array(4), new Float32Array(2), 3);
    await expect(bad).rejects.toThrow(/cannot hold 2 rows/);
  });

  it('stops when aborted', async () => {
    const data = syntheticData(50_000, 5, 2);
    const controller = new AbortController();
    const training = trainInWorker(
      data.rows,
      data.labels,
      5,
      { trees: 500 },
      {
        signal: controller.signal,
      },
    );
    controller.abort(new Error('shutting down'));
    await expect(training).rejects.toThrow('shutting down');
  });
});

describe('TrainingWorker', () => {
  it('starts its thread at the first job and reuses it for every later one', async () => {
    const worker = new TrainingWorker();
    expect(worker.threadId).toBeUndefined();
    const data = syntheticData(4_000, 5, 3);
    const params = { seed: 4, trees: 6 };
    const local = flat(trainGbdt(data.rows, data.labels, 5, params));
    const threads = new Set<number | undefined>();
    for (let i = 0; i < 3; i++) {
      const model = await worker.train(data.rows.slice(), data.labels.slice(), 5, params);
      expect(flat(model)).toEqual(local);
      threads.add(worker.threadId);
    }
    // Jobs given at once run one after the other on the same thread.
    const both = await Promise.all([
      worker.train(data.rows.slice(), data.labels.slice(), 5, params),
      worker.train(data.rows.slice(), data.labels.slice(), 5, { ...params, seed: 5 }),
    ]);
    expect(flat(both[0])).toEqual(local);
    expect(flat(both[1])).not.toEqual(local);
    threads.add(worker.threadId);
    expect(threads.size).toBe(1);
    expect([...threads][0]).toBeGreaterThan(0);
    // A trainer error fails that job only.
    await expect(worker.train(small(), new Float32Array(2), 3)).rejects.toThrow(/cannot hold/);
    threads.add(worker.threadId);
    expect(threads.size).toBe(1);
    worker.close();
    expect(worker.threadId).toBeUndefined();
  });

  it('rejects the job whose thread crashed, and gives the next job a fresh thread', async () => {
    const worker = new TrainingWorker({ entry: FAKE_ENTRY });
    const first = await fakeThread(worker.train(small(), small(), 2));
    expect(worker.threadId).toBe(first);
    expect(await fakeThread(worker.train(small(), small(), 2))).toBe(first);
    // The exit and the job queued behind it.
    const crashed = worker.train(small(), small(), 0);
    const queued = fakeThread(worker.train(small(), small(), 2));
    await expect(crashed).rejects.toThrow(/exited with code 3/);
    const second = await queued;
    expect(second).not.toBe(first);
    expect(worker.threadId).toBe(second);
    // An uncaught error in the thread.
    await expect(worker.train(small(), small(), 1)).rejects.toThrow('boom in the worker');
    const third = await fakeThread(worker.train(small(), small(), 2));
    expect([first, second]).not.toContain(third);
    worker.close();
  });

  it('close() rejects the job in flight and the queued ones, and ends the thread', async () => {
    const worker = new TrainingWorker();
    const data = syntheticData(50_000, 5, 2);
    const running = worker.train(data.rows, data.labels, 5, { trees: 500 });
    const queued = worker.train(small(), small(), 1);
    expect(worker.threadId).toBeGreaterThan(0);
    worker.close(new Error('closing'));
    await expect(running).rejects.toThrow('closing');
    await expect(queued).rejects.toThrow('closing');
    expect(worker.threadId).toBeUndefined();
  });

  it('aborting the running job ends its thread; a queued job aborted never runs', async () => {
    const worker = new TrainingWorker();
    const data = syntheticData(50_000, 5, 2);
    const running = new AbortController();
    const waiting = new AbortController();
    const long = worker.train(
      data.rows,
      data.labels,
      5,
      { trees: 500 },
      {
        signal: running.signal,
      },
    );
    const rows = syntheticData(2_000, 5, 1);
    const skipped = worker.train(
      rows.rows,
      rows.labels,
      5,
      { trees: 2 },
      {
        signal: waiting.signal,
      },
    );
    const after = worker.train(small(), new Float32Array(2), 3);
    const thread = worker.threadId;
    waiting.abort(new Error('not needed'));
    await expect(skipped).rejects.toThrow('not needed');
    expect(rows.rows.byteLength).toBeGreaterThan(0); // never sent
    running.abort(new Error('shutting down'));
    await expect(long).rejects.toThrow('shutting down');
    // The next job ran on a new thread.
    await expect(after).rejects.toThrow(/cannot hold/);
    expect(worker.threadId).not.toBe(thread);
    worker.close();
  });

  // The node closes its trainer on shutdown, but a forgotten one must not hold the process; a
  // one-shot trainInWorker must (its caller awaits the model), until its job ends or is closed.
  it('never keeps the process alive when unref’d; close() ends a ref’d thread mid-job', () => {
    const module = new URL('./train-in-worker.ts', import.meta.url).href;
    const data = new URL('./synthetic-data.ts', import.meta.url).href;
    const run = (body: string): { status: number | null; stdout: string; ms: number } => {
      const started = Date.now();
      // A file, not --eval: a worker inherits --input-type, which its file entry refuses.
      const script = join(mkdtempSync(join(tmpdir(), 'train-worker-')), 'child.mjs');
      writeFileSync(
        script,
        `import { TrainingWorker } from ${JSON.stringify(module)};
         import { syntheticData } from ${JSON.stringify(data)};
         const d = syntheticData(50_000, 5, 2);
         ${body}`,
      );
      const child = spawnSync(process.execPath, [script], { timeout: 20_000, encoding: 'utf8' });
      rmSync(dirname(script), { recursive: true, force: true });
      return { status: child.status, stdout: child.stdout, ms: Date.now() - started };
    };
    // A short job, awaited while a timer keeps the process up (a node's server does); the idle
    // thread is never closed.
    const idle = run(`const w = new TrainingWorker();
      const up = setInterval(() => {}, 1000);
      await w.train(new Float32Array(40), new Float32Array(10), 4, { trees: 2 });
      clearInterval(up);
      console.log(w.threadId > 0 ? 'trained' : 'no thread');`);
    expect([idle.status, idle.stdout]).toEqual([0, 'trained\n']);
    // A long job in flight, not awaited (it would take tens of seconds).
    const inFlight = run(`const w = new TrainingWorker();
      w.train(d.rows, d.labels, 5, { trees: 5000 }).catch(() => {});
      setTimeout(() => {}, 300);`);
    expect(inFlight.status).toBe(0);
    const closed = run(`const w = new TrainingWorker({ unref: false });
      w.train(d.rows, d.labels, 5, { trees: 5000 }).catch((e) => console.log(e.message));
      setTimeout(() => w.close(new Error('closed')), 300);`);
    expect([closed.status, closed.stdout]).toEqual([0, 'closed\n']);
    expect(Math.max(idle.ms, inFlight.ms, closed.ms)).toBeLessThan(15_000);
  }, 30_000);
});
