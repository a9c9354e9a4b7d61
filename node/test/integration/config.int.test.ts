import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_NODE_ARGS, runNode, startNode } from './start-node.ts';

// `mlcache node` as a user runs it: configuration from flags, environment and a config file, and
// what the process prints and returns when the configuration is wrong or a port is taken.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('mlcache node configuration', () => {
  it('prints every option with its default for --help and exits 0', async () => {
    const { code, stdout } = await runNode(['--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--port',
      '--bind, --host',
      '--grpc-port',
      '--admin-port',
      '--maxmemory',
      '--policy',
    ]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain('(MLCACHE_PORT, default 6379)');
    expect(stdout).toContain('(MLCACHE_MAX_VALUE_SIZE, default 512mb)');
  });

  it('lists every problem at once and exits 2', async () => {
    const { code, stdout, stderr } = await runNode(
      ['--maxmemory', 'abc', '--durability', 'sync', '--policy', 'nope'],
      {
        MLCACHE_GRPC_PORT: '99999',
      },
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('mlcache node: invalid configuration:\n');
    expect(stderr).toContain("  --maxmemory: 'abc' is not a size");
    expect(stderr).toContain(
      "  --grpc-port: '99999' is not a port (0-65535; 0 picks a free port) (from MLCACHE_GRPC_PORT)",
    );
    expect(stderr).toContain("  --policy: 'nope' is not one of");
    expect(stderr).toContain("  --durability: 'sync' needs --data-dir");
  });

  it('takes flags over environment over config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlcache-config-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'node.conf');
    writeFileSync(
      file,
      '# test\nmaxmemory 1mb\nnode-name from-file\npolicy lfu\nmax-key-size 1kb\n',
    );
    const node = await startNode(
      [...LOCAL_NODE_ARGS, '--config', file, '--node-name', 'from-flag'],
      {
        MLCACHE_MAXMEMORY: '2mb',
        MLCACHE_NODE_NAME: 'from-env',
      },
    );
    cleanups.push(() => node.stop());
    expect(node.listening.node).toBe('from-flag');
    const stats = (await (
      await fetch(`http://127.0.0.1:${node.listening.admin}/v1/stats`)
    ).json()) as {
      config: Record<string, unknown>;
    };
    expect(stats.config).toMatchObject({
      nodeName: 'from-flag',
      maxMemory: 2 * 1024 * 1024,
      policy: 'lfu',
      maxKeySize: 1024,
      configFile: file,
    });
  });

  it('exits 1 with a clear message when a port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const taken = (blocker.address() as AddressInfo).port;
    const { code, stdout, stderr } = await runNode([
      ...LOCAL_NODE_ARGS,
      '--admin-port',
      String(taken),
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`mlcache node: cannot start: admin port: listen EADDRINUSE`);
  });
});
