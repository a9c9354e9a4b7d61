import { describe, expect, it } from 'vitest';
import { helpText } from './help.ts';
import { loadConfig } from './load.ts';
import type { LoadResult } from './load.ts';
import { config, loadInputs, problems } from './load-test-inputs.ts';
import { scorerTarget } from './node-config.ts';
import { milliseconds, modelSource, scorerAddress } from './parsers.ts';
import { allPolicyNames, mlBaseOf } from './schema.ts';
import { DEFAULT_ML_HYBRID_PARAMS } from '../policy/ml-hybrid-params.ts';

function load(argv: string[], env: Record<string, string> = {}): LoadResult {
  return loadConfig(loadInputs({ argv, env }));
}

describe('the learned-policy flags', () => {
  it('accepts ml-lru and ml-lfu next to the registry policies, with their bases', () => {
    expect(allPolicyNames()).toEqual(expect.arrayContaining(['lru', 'lfu', 'ml-lru', 'ml-lfu']));
    expect(config(load(['--policy', 'ml-lfu'])).policy).toBe('ml-lfu');
    expect([mlBaseOf('ml-lru'), mlBaseOf('ml-lfu'), mlBaseOf('lfu')]).toEqual(['lru', 'lfu', null]);
  });

  it('bounds the evicted keys remembered with --ml-evicted-keys, by default as the policy does', () => {
    expect(config(load(['--policy', 'ml-lfu'])).mlEvictedKeys).toBe(
      DEFAULT_ML_HYBRID_PARAMS.ghostMaxCapacity,
    );
    expect(config(load(['--policy', 'ml-lfu', '--ml-evicted-keys', '0'])).mlEvictedKeys).toBe(0);
    expect(problems(load(['--policy', 'ml-lfu', '--ml-evicted-keys', 'lots']))).toEqual([
      "--ml-evicted-keys: 'lots' is not a whole number in [0, 1073741824]",
    ]);
    expect(problems(load(['--policy', 'lfu', '--ml-evicted-keys', '1000']))).toEqual([
      "--ml-evicted-keys: only with --policy ml-lru or ml-lfu, not 'lfu'",
    ]);
  });

  it('lets the learned policy run plain unless --ml-plain-switch off', () => {
    expect(config(load(['--policy', 'ml-lfu'])).mlPlainSwitch).toBe(true);
    expect(config(load(['--policy', 'ml-lfu', '--ml-plain-switch', 'off'])).mlPlainSwitch).toBe(
      false,
    );
    expect(problems(load(['--policy', 'ml-lfu', '--ml-plain-switch', 'maybe']))).toEqual([
      expect.stringContaining("--ml-plain-switch: 'maybe'"),
    ]);
    expect(problems(load(['--policy', 'lru', '--ml-plain-switch', 'off']))).toEqual([
      "--ml-plain-switch: only with --policy ml-lru or ml-lfu, not 'lru'",
    ]);
  });

  it('defaults to a local scorer, the shipped model and a 2 ms deadline', () => {
    expect(config(load(['--policy', 'ml-lru']))).toMatchObject({
      scorer: 'local',
      scorerRank: 'local',
      model: 'default',
      scorerDeadlineMs: 2,
    });
  });

  it('ranks in process with a scorer service by default (2 ms), remotely on request (250 ms)', () => {
    const grpc = ['--policy', 'ml-lru', '--scorer', 'grpc://h:1'];
    expect(config(load(grpc))).toMatchObject({ scorerRank: 'local', scorerDeadlineMs: 2 });
    expect(config(load([...grpc, '--scorer-rank', 'remote']))).toMatchObject({
      scorerRank: 'remote',
      scorerDeadlineMs: 250,
    });
    expect(config(load(grpc, { MLCACHE_SCORER_RANK: 'remote' })).scorerRank).toBe('remote');
    expect(
      config(load([...grpc, '--scorer-rank', 'remote', '--scorer-deadline', '5'])),
    ).toMatchObject({ scorerRank: 'remote', scorerDeadlineMs: 5 });
    expect(problems(load([...grpc, '--scorer-rank', 'nearby']))).toEqual([
      "--scorer-rank: 'nearby' is not one of local, remote",
    ]);
    expect(problems(load(['--policy', 'ml-lru', '--scorer-rank', 'remote']))).toEqual([
      "--scorer-rank: 'remote' needs a scorer service (--scorer grpc://HOST:PORT)",
    ]);
    expect(problems(load(['--scorer-rank', 'remote']))).toEqual([
      "--scorer-rank: only with --policy ml-lru or ml-lfu, not 'lru'",
    ]);
  });

  it('reads --scorer-rank from a config file', () => {
    const result = loadConfig({
      argv: ['--config', '/etc/mlcache.conf'],
      env: {},
      hostname: 'pod-0',
      readFile: () => 'policy ml-lfu\nscorer grpc://scorer:7390\nscorer-rank remote\n',
    });
    expect(config(result)).toMatchObject({ scorerRank: 'remote', scorerDeadlineMs: 250 });
  });

  it('reads every flag from argv and the environment', () => {
    const flags = config(
      load(['--policy', 'ml-lfu', '--scorer', 'grpc://scorer.ns.svc:7400', '--model', 'none'], {
        MLCACHE_SCORER_DEADLINE: '0.5',
      }),
    );
    expect(flags).toMatchObject({
      scorer: 'grpc://scorer.ns.svc:7400',
      model: 'none',
      scorerDeadlineMs: 0.5,
    });
    expect(scorerTarget(flags.scorer)).toBe('scorer.ns.svc:7400');
    expect(scorerTarget('local')).toBeNull();
    const file = config(load(['--policy', 'ml-lru', '--model', '/models/m.onnx']));
    expect(file.model).toBe('/models/m.onnx');
  });

  it('validates each value', () => {
    expect(scorerAddress('grpc://127.0.0.1:1')).toEqual({ ok: true, value: 'grpc://127.0.0.1:1' });
    expect(scorerAddress('grpc://[::1]:7400').ok).toBe(true);
    for (const bad of [
      'grpc://host',
      'grpc://host:0',
      'grpc://host:70000',
      'http://h:1',
      'remote',
    ]) {
      expect(scorerAddress(bad).ok, bad).toBe(false);
    }
    expect(milliseconds('2')).toEqual({ ok: true, value: 2 });
    expect(milliseconds('0.25')).toEqual({ ok: true, value: 0.25 });
    for (const bad of ['0', '-1', 'abc', '', '1e3', '60001']) {
      expect(milliseconds(bad).ok, bad).toBe(false);
    }
    expect(modelSource('').ok).toBe(false);
    expect(
      problems(load(['--policy', 'ml-lru', '--scorer', 'grpc://x', '--scorer-deadline', '0'])),
    ).toEqual([
      "--scorer: 'grpc://x' is not local or grpc://HOST:PORT",
      "--scorer-deadline: '0' is not a duration in milliseconds (a number above 0, at most 60000)",
    ]);
  });

  it('refuses the ML flags with a plain policy, and a model file with a remote scorer', () => {
    expect(
      problems(load(['--policy', 'lfu', '--scorer', 'grpc://h:1', '--model', 'none'])),
    ).toEqual(["--scorer, --model: only with --policy ml-lru or ml-lfu, not 'lfu'"]);
    expect(problems(load(['--scorer-deadline', '5']))).toEqual([
      "--scorer-deadline: only with --policy ml-lru or ml-lfu, not 'lru'",
    ]);
    // Ranking in the node, a model file is the start model until the service publishes one.
    expect(
      config(load(['--policy', 'ml-lfu', '--scorer', 'grpc://h:1', '--model', 'm.onnx'])).model,
    ).toBe('m.onnx');
    expect(
      problems(
        load([
          ...['--policy', 'ml-lfu', '--scorer', 'grpc://h:1'],
          ...['--scorer-rank', 'remote', '--model', 'm.onnx'],
        ]),
      ),
    ).toEqual([
      '--model: a model file is for ranking in the node; with --scorer-rank remote the scorer service at grpc://h:1 ranks with its own models',
    ]);
    expect(
      config(load(['--policy', 'ml-lfu', '--scorer', 'grpc://h:1', '--model', 'none'])).model,
    ).toBe('none');
  });

  it('documents the flags in --help', () => {
    const help = helpText();
    for (const flag of [
      '--scorer WHERE',
      '--scorer-rank WHERE',
      '--model PATH',
      '--scorer-deadline MS',
      'ml-lfu',
    ]) {
      expect(help).toContain(flag);
    }
  });
});
