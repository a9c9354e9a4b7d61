import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.ts';
import { config, loadInputs as inputs, problems } from './load-test-inputs.ts';

describe('loadConfig', () => {
  it('gives the documented defaults', () => {
    expect(config(loadConfig(inputs()))).toEqual({
      port: 6379,
      bind: '0.0.0.0',
      grpcPort: 7379,
      adminPort: 9379,
      maxMemory: 0,
      policy: 'lru',
      maxValueSize: 512 * 1024 * 1024,
      maxKeySize: 64 * 1024,
      dataDir: null,
      durability: 'none',
      requirepass: null,
      nodeName: 'pod-0',
      logLevel: 'info',
      configFile: null,
      ring: null,
      nodeId: 'pod-0',
      migrationRate: 64 * 1024 * 1024,
      scorer: 'local',
      scorerRank: 'local',
      model: 'default',
      scorerDeadlineMs: 2,
      mlEvictedKeys: 1 << 22,
      mlPlainSwitch: true,
      evictionHeadroom: 0.01,
      scriptTimeLimitMs: 5000,
      notifyKeyspaceEvents: '',
    });
  });

  it('reads the cluster flags; the node id defaults to the node name', () => {
    const cluster = loadConfig(
      inputs({ argv: ['--ring', '/etc/mlcache/ring.json', '--node-name', 'n1'] }),
    );
    expect(config(cluster)).toMatchObject({ ring: '/etc/mlcache/ring.json', nodeId: 'n1' });
    const named = loadConfig(inputs({ argv: ['--node-id', 'a-1', '--migration-rate', '0'] }));
    expect(config(named)).toMatchObject({ nodeId: 'a-1', migrationRate: 0 });
    const unlimited = loadConfig(inputs({ argv: ['--script-time-limit', '0'] }));
    expect(config(unlimited)).toMatchObject({ scriptTimeLimitMs: 0 });
    const notifying = loadConfig(inputs({ argv: ['--notify-keyspace-events', 'Exe'] }));
    expect(config(notifying)).toMatchObject({ notifyKeyspaceEvents: 'Exe' });
    expect(problems(loadConfig(inputs({ argv: ['--notify-keyspace-events', 'Exq'] })))).toEqual([
      expect.stringContaining("Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
    ]);
  });

  it('reads flags in both forms, the --host alias and units', () => {
    const result = loadConfig(
      inputs({
        argv: ['--port', '0', '--host=127.0.0.1', '--maxmemory', '100mb', '--node-name', 'n1'],
      }),
    );
    expect(config(result)).toMatchObject({
      port: 0,
      bind: '127.0.0.1',
      maxMemory: 100 * 1024 ** 2,
      nodeName: 'n1',
    });
  });

  it('applies flags over env over file over defaults', () => {
    const file = 'port 1001\ngrpc-port 2001\nadmin-port 3001\n';
    const result = loadConfig(
      inputs(
        {
          argv: ['--config', '/etc/n.conf', '--port', '1003'],
          env: { MLCACHE_PORT: '1002', MLCACHE_GRPC_PORT: '2002' },
        },
        { '/etc/n.conf': file },
      ),
    );
    expect(config(result)).toMatchObject({
      port: 1003,
      grpcPort: 2002,
      adminPort: 3001,
      configFile: '/etc/n.conf',
    });
  });

  it('takes the config file path from the environment too', () => {
    const result = loadConfig(
      inputs({ env: { MLCACHE_CONFIG: 'a.conf' } }, { 'a.conf': 'policy lru\n' }),
    );
    expect(config(result).configFile).toBe('a.conf');
  });

  it('derives the durability from the data directory', () => {
    expect(config(loadConfig(inputs({ argv: ['--data-dir', '/d'] }))).durability).toBe('async');
    expect(
      config(loadConfig(inputs({ argv: ['--data-dir', '/d', '--durability', 'sync'] }))).durability,
    ).toBe('sync');
  });

  it('lists every problem at once, with where each value came from', () => {
    const result = loadConfig(
      inputs(
        {
          argv: ['--maxmemory', 'abc', '--port', '70000', '--bogus', '1', '--config', 'n.conf'],
          env: { MLCACHE_POLICY: 'fifo-ish' },
        },
        { 'n.conf': '# a comment\n\nlog-level loud\n' },
      ),
    );
    expect(problems(result)).toEqual([
      '--bogus: unknown option (see --help)',
      "--port: '70000' is not a port (0-65535; 0 picks a free port)",
      "--maxmemory: 'abc' is not a size (like 4096, 64kb, 100mb, 1gib)",
      expect.stringMatching(/^--policy: 'fifo-ish' is not one of lru.* \(from MLCACHE_POLICY\)$/),
      "--log-level: 'loud' is not one of debug, info, warn, error, silent (from n.conf:3)",
    ]);
  });

  it('refuses durable modes without a data directory, and none with one', () => {
    expect(problems(loadConfig(inputs({ argv: ['--durability', 'sync'] })))).toEqual([
      "--durability: 'sync' needs --data-dir",
    ]);
    expect(
      problems(loadConfig(inputs({ argv: ['--durability', 'none', '--data-dir', '/d'] }))),
    ).toEqual(["--durability: 'none' keeps nothing; drop --data-dir or choose async or sync"]);
  });

  it('reads the password from a file, without its trailing newline', () => {
    const result = loadConfig(
      inputs({ argv: ['--requirepass-file', '/s/pw'] }, { '/s/pw': 's3cret\n' }),
    );
    expect(config(result).requirepass).toBe('s3cret');
  });

  it('refuses both password options, and unreadable or empty password files', () => {
    expect(
      problems(loadConfig(inputs({ argv: ['--requirepass', 'a', '--requirepass-file', '/s/pw'] }))),
    ).toEqual(['--requirepass, --requirepass-file: give one or the other, not both']);
    expect(problems(loadConfig(inputs({ argv: ['--requirepass-file', '/nope'] })))).toEqual([
      "--requirepass-file: cannot read '/nope' (ENOENT)",
    ]);
    expect(
      problems(loadConfig(inputs({ argv: ['--requirepass-file', '/e'] }, { '/e': '\n' }))),
    ).toEqual(["--requirepass-file: '/e' is empty"]);
  });

  it('reports a missing config file and a flag without a value', () => {
    expect(problems(loadConfig(inputs({ argv: ['--config', 'x.conf', '--port'] })))).toEqual([
      '--port: needs a value',
      "--config: cannot read 'x.conf' (ENOENT)",
    ]);
  });

  it('asks for help before validating anything', () => {
    expect(loadConfig(inputs({ argv: ['--port', 'nope', '--help'] }))).toEqual({ kind: 'help' });
  });
});
