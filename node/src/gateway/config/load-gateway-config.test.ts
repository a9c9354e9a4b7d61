import { describe, expect, it } from 'vitest';
import { gatewayHelpText, loadGatewayConfig, redactGatewayConfig } from './load-gateway-config.ts';
import { GATEWAY_OPTIONS } from './gateway-options.ts';

const load = (
  argv: string[],
  env: Record<string, string> = {},
  files: Record<string, string> = {},
) =>
  loadGatewayConfig({
    argv,
    env,
    hostname: 'gw-0',
    readFile: (path) => {
      if (path in files) return files[path]!;
      throw Object.assign(new Error('no'), { code: 'ENOENT' });
    },
  });

describe('loadGatewayConfig', () => {
  it('has defaults for everything', () => {
    const result = load([]);
    expect(result.kind).toBe('config');
    if (result.kind !== 'config') return;
    expect(result.config).toMatchObject({
      port: 6379,
      adminPort: 9380,
      ring: null,
      nodes: [],
      nearCacheTtlMs: 200,
      nearCacheKeys: 128,
      nearCacheInvalidation: false,
      maxRedirects: 2,
      gatewayName: 'gw-0',
    });
  });

  it('reads repeated --mirror flags as mirror mode, and refuses malformed or duplicate ones', () => {
    const result = load(
      ['--nodes', 'h:1', '--mirror', 'lfu=h:2', '--mirror=ml-lru=h:3', '--primary-name', 'lru'],
      { MLCACHE_GATEWAY_MIRROR: 'ignored=h:9', MLCACHE_GATEWAY_MIRROR_MAX_INFLIGHT: '64' },
    );
    expect(result.kind).toBe('config');
    if (result.kind !== 'config') return;
    expect(result.config).toMatchObject({
      mirrors: [
        { name: 'lfu', address: 'h:2' },
        { name: 'ml-lru', address: 'h:3' },
      ],
      primaryName: 'lru',
      mirrorMaxInflight: 64,
    });
    const bad = load(['--mirror', 'a=h:2', '--mirror', 'a=h:3', '--mirror-max-inflight', '0']);
    expect(bad.kind === 'invalid' ? bad.problems : []).toEqual([
      expect.stringContaining('--mirror: a mirror name is given twice'),
      expect.stringContaining('--mirror-max-inflight:'),
    ]);
    const malformed = load(['--mirror', 'h:2']);
    expect(malformed.kind === 'invalid' ? malformed.problems : []).toEqual([
      expect.stringContaining("'h:2' is not NAME=host:port"),
    ]);
  });

  it('reads flags over MLCACHE_GATEWAY_* variables, and passwords from files', () => {
    const result = load(
      ['--nodes', 'a:1,b:2', '--near-cache-ttl=0', '--requirepass-file', '/s'],
      {
        MLCACHE_GATEWAY_NEAR_CACHE_TTL: '50',
        MLCACHE_GATEWAY_PORT: '7000',
        MLCACHE_GATEWAY_NEAR_CACHE_INVALIDATION: 'on',
      },
      { '/s': 'pw\n' },
    );
    expect(result.kind).toBe('config');
    if (result.kind !== 'config') return;
    expect(result.config.nodes).toEqual(['a:1', 'b:2']);
    expect(result.config.nearCacheTtlMs).toBe(0);
    expect(result.config.nearCacheInvalidation).toBe(true);
    expect(result.config.port).toBe(7000);
    expect(result.config.requirepass).toBe('pw');
    expect(redactGatewayConfig(result.config).requirepass).toBe('(set)');
  });

  it('lists every problem at once', () => {
    const result = load([
      '--ring',
      'r.json',
      '--nodes',
      'a:1',
      '--connections-per-node',
      '0',
      '--near-cache-invalidation',
      'yes',
      'stray',
      '--what',
    ]);
    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    expect(result.problems).toEqual([
      "'stray': unexpected argument (options start with --)",
      '--what: unknown option (see --help)',
      "--connections-per-node: '0' is not a whole number in [1, 64]",
      "--near-cache-invalidation: 'yes' is not one of on, off",
    ]);
    const both = load(['--ring', 'r.json', '--nodes', 'a:1', '--node-password-file', '/missing']);
    expect(both.kind === 'invalid' && both.problems).toEqual([
      '--ring, --nodes: give one or the other, not both',
      "--node-password-file: cannot read '/missing' (ENOENT)",
    ]);
  });

  it('documents every option in --help', () => {
    const help = gatewayHelpText();
    for (const spec of GATEWAY_OPTIONS) {
      expect(help).toContain(`--${spec.flag} `);
      expect(help).toContain(spec.env);
    }
    expect(load(['--help']).kind).toBe('help');
  });
});
