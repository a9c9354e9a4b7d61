import { describe, expect, it } from 'vitest';
import { DEMO_DEFAULTS, demoHelp, parseDemoArgs } from './demo-options.ts';

describe('mlcache demo flags', () => {
  it('defaults to the four policies on fixed ports, waiting for Ctrl-C', () => {
    const parsed = parseDemoArgs([]);
    expect(parsed.kind).toBe('options');
    if (parsed.kind !== 'options') return;
    expect(parsed.options).toMatchObject({
      requests: DEMO_DEFAULTS.requests,
      maxmemory: '8mb',
      policies: ['lru', 'lfu', 'ml-lru', 'ml-lfu'],
      scorer: 'grpc',
      scorerRank: 'local',
      retrainEvery: 2048,
      noWait: false,
      port: 6379,
      nodePort: 6380,
      dir: null,
    });
  });

  it('reads every flag, and lists every problem', () => {
    const parsed = parseDemoArgs([
      ...['--requests', '500', '--duration', '5s', '--maxmemory=2mb', '--seed', '9', '--no-wait'],
      ...['--scorer', 'local', '--policies', 'lfu,lru', '--port', '0', '--dir', '/tmp/d'],
      ...['--scorer-rank', 'remote', '--retrain-every', '65536'],
    ]);
    expect(parsed.kind === 'options' && parsed.options).toMatchObject({
      requests: 500,
      durationMs: 5000,
      maxmemory: '2mb',
      seed: 9,
      noWait: true,
      scorer: 'local',
      scorerRank: 'remote',
      retrainEvery: 65536,
      policies: ['lfu', 'lru'],
      port: 0,
      dir: '/tmp/d',
    });
    const bad = parseDemoArgs(['--requests', '0', '--scorer', 'x', '--policies', 'a,a', 'extra']);
    expect(bad.kind === 'invalid' && bad.problems).toEqual([
      expect.stringContaining('unexpected argument'),
      expect.stringContaining('--policies'),
      expect.stringContaining('--requests'),
      expect.stringContaining('--scorer'),
    ]);
    expect(parseDemoArgs(['--maxmemory', '0']).kind).toBe('invalid');
    expect(parseDemoArgs(['--retrain-every', '0']).kind).toBe('invalid');
    expect(parseDemoArgs(['--help']).kind).toBe('help');
    expect(demoHelp()).toContain('--no-wait');
  });
});
