import { describe, expect, it } from 'vitest';
import { loadScorerConfig, scorerHelpText, SCORER_OPTIONS } from './scorer-config.ts';

describe('loadScorerConfig', () => {
  it('has the documented defaults', () => {
    expect(loadScorerConfig([], {})).toEqual({
      kind: 'config',
      config: {
        bind: '127.0.0.1',
        port: 7390,
        adminPort: 9390,
        model: null,
        retrainEvery: 65_536,
        windowRows: 65_536,
        seed: 1,
        logLevel: 'info',
      },
    });
  });

  it('takes flags over MLCACHE_SCORER_* variables', () => {
    const loaded = loadScorerConfig(['--port=0', '--model', 'm.onnx'], {
      MLCACHE_SCORER_PORT: '7000',
      MLCACHE_SCORER_ADMIN_PORT: '0',
      MLCACHE_SCORER_RETRAIN_EVERY: '4096',
    });
    expect(loaded).toMatchObject({
      kind: 'config',
      config: { port: 0, adminPort: 0, model: 'm.onnx', retrainEvery: 4096 },
    });
  });

  it('lists every problem at once', () => {
    const loaded = loadScorerConfig(['--port', 'x', '--nope', '1', '--seed'], {
      MLCACHE_SCORER_WINDOW_ROWS: '10',
    });
    expect(loaded.kind).toBe('invalid');
    const problems = loaded.kind === 'invalid' ? loaded.problems : [];
    expect(problems).toEqual([
      '--nope: unknown option (see --help)',
      '--seed: needs a value',
      "--port: 'x' is not a port (0-65535; 0 picks a free port)",
      "--window-rows: '10' is not a whole number in [256, 16777216] (from MLCACHE_SCORER_WINDOW_ROWS)",
    ]);
  });

  it('documents every option in --help', () => {
    expect(loadScorerConfig(['--help'], {})).toEqual({ kind: 'help' });
    const help = scorerHelpText();
    for (const spec of SCORER_OPTIONS) {
      expect(help).toContain(`--${spec.flag}`);
      expect(help).toContain(spec.env);
    }
  });
});
