import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RespTestClient } from '../../src/gateway/testing/resp-test-client.ts';
import { ringOver, RingVolume } from '../../src/gateway/testing/test-cluster.ts';
import { LOCAL_NODE_ARGS, MLCACHE_BIN, startNode } from './start-node.ts';
import type { RunningNode } from './start-node.ts';

// `mlcache gateway` as a user or a container runs it, in front of real `mlcache node` processes.
type Child = ChildProcessByStdio<null, Readable, Readable>;

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function spawnGateway(args: readonly string[]): { child: Child; exited: Promise<Exit> } {
  const child = spawn(process.execPath, [MLCACHE_BIN, 'gateway', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, exited };
}

async function listeningLine(
  child: Child,
  exited: Promise<Exit>,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end >= 0) resolve(JSON.parse(text.slice(0, end)) as Record<string, unknown>);
    });
    void exited.then((exit) => reject(new Error(`gateway exited (${exit.code}):\n${exit.stderr}`)));
  });
}

const LOCAL = ['--bind', '127.0.0.1', '--port', '0', '--admin-port', '0', '--log-level', 'warn'];

describe('mlcache gateway', () => {
  let nodes: RunningNode[];
  let volume: RingVolume;
  beforeAll(async () => {
    nodes = await Promise.all([0, 1].map(() => startNode(LOCAL_NODE_ARGS)));
    volume = new RingVolume(
      ringOver(
        7,
        nodes.map((node) => node.listening.resp),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    volume.remove();
  });

  it('prints its options with --help', async () => {
    const { exited } = spawnGateway(['--help']);
    const exit = await exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('--near-cache-ttl MS');
    expect(exit.stdout).toContain('MLCACHE_GATEWAY_RING');
  });

  it('lists every configuration problem and exits 2', async () => {
    const { exited } = spawnGateway(['--port', 'x', '--nodes', 'nohost', '--bogus', '1']);
    const exit = await exited;
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('--port:');
    expect(exit.stderr).toContain('--nodes:');
    expect(exit.stderr).toContain('--bogus: unknown option');
  });

  it('serves clients from a ring file, reports on its admin port, and stops on SIGTERM', async () => {
    const { child, exited } = spawnGateway([...LOCAL, '--ring', volume.path]);
    const line = await listeningLine(child, exited);
    expect(Object.keys(line)).toEqual(['event', 'gateway', 'bind', 'resp', 'admin', 'pid']);
    const client = await RespTestClient.connect(line.resp as number);
    const keys = Array.from({ length: 30 }, (_, i) => `cli:${i}`);
    expect(await client.call('MSET', ...keys.flatMap((key) => [key, key]))).toBe('OK');
    expect(await client.call('MGET', ...keys)).toEqual(keys);
    expect(await client.call('DBSIZE')).toBe(30);
    const admin = `http://127.0.0.1:${line.admin as number}`;
    expect((await fetch(`${admin}/healthz`)).status).toBe(200);
    expect((await fetch(`${admin}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    expect(metrics).toMatch(/^mlcache_gateway_ring_epoch\{gateway="[^"]+"\} 7$/m);
    expect(metrics).toMatch(
      /^mlcache_gateway_commands_total\{gateway="[^"]+",command="mset"\} 1$/m,
    );
    expect(metrics).toContain('mlcache_gateway_command_duration_seconds_bucket');
    expect(metrics).toContain('mlcache_gateway_process_cpu_seconds_total');
    client.close();
    child.kill('SIGTERM');
    const exit = await exited;
    expect(exit.code).toBe(0);
  });

  it('starts without a ring, is not ready, and answers CLUSTERDOWN until one is PUT', async () => {
    const { child, exited } = spawnGateway(LOCAL);
    const line = await listeningLine(child, exited);
    const admin = `http://127.0.0.1:${line.admin as number}`;
    expect((await fetch(`${admin}/readyz`)).status).toBe(503);
    const client = await RespTestClient.connect(line.resp as number);
    expect(await client.call('GET', 'k')).toEqual({
      error: expect.stringMatching(/^CLUSTERDOWN the gateway has no ring yet/) as string,
    });
    const { readFileSync } = await import('node:fs');
    const put = await fetch(`${admin}/v1/ring`, {
      method: 'PUT',
      body: readFileSync(volume.path, 'utf8'),
    });
    expect(put.status).toBe(200);
    expect(await client.call('GET', 'cli:3')).toBe('cli:3');
    client.close();
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });
});
