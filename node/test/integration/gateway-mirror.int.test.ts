import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_NODE_ARGS, MLCACHE_BIN, startNode } from './start-node.ts';
import type { RunningNode } from './start-node.ts';

// `mlcache gateway --mirror`: real nodes, a real gateway process, ioredis clients.
type Child = ChildProcessByStdio<null, Readable, Readable>;

interface RunningGateway {
  readonly resp: number;
  readonly admin: number;
  stop(): Promise<number | null>;
}

async function startGateway(args: readonly string[]): Promise<RunningGateway> {
  const child: Child = spawn(
    process.execPath,
    [
      MLCACHE_BIN,
      'gateway',
      ...['--bind', '127.0.0.1', '--port', '0', '--admin-port', '0', '--log-level', 'error'],
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = await new Promise<Record<string, number>>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end >= 0) resolve(JSON.parse(text.slice(0, end)) as Record<string, number>);
    });
    void exited.then((code) => reject(new Error(`gateway exited (${code}):\n${stderr}`)));
  });
  return {
    resp: line.resp as number,
    admin: line.admin as number,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

interface MirrorBody {
  primary: { name: string; count: number; p50Ms: number | null; p99Ms: number | null };
  backpressurePauses: number;
  mirrors: {
    name: string;
    state: string;
    sent: number;
    replies: number;
    errors: number;
    inflight: number;
    count: number;
    p50Ms: number | null;
    p99Ms: number | null;
  }[];
}

async function mirrorReport(admin: number): Promise<MirrorBody> {
  const response = await fetch(`http://127.0.0.1:${admin}/v1/mirror`);
  expect(response.status).toBe(200);
  return (await response.json()) as MirrorBody;
}

/** Waits until every mirror has answered everything it was sent. */
async function mirrorsSettled(admin: number): Promise<MirrorBody> {
  for (let i = 0; i < 200; i++) {
    const body = await mirrorReport(admin);
    if (body.mirrors.every((m) => m.inflight === 0)) return body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('mirrors did not settle');
}

const STAT_FIELDS = ['keyspace_hits', 'keyspace_misses', 'evicted_keys', 'expired_keys'];

async function stats(port: number): Promise<Record<string, string>> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  await client.connect();
  try {
    const info = await client.info();
    const fields = Object.fromEntries(
      info
        .split('\r\n')
        .filter((line) => line.includes(':'))
        .map((line) => line.split(':', 2) as [string, string]),
    );
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    keys.sort();
    return {
      ...Object.fromEntries(STAT_FIELDS.map((field) => [field, fields[field] ?? 'absent'])),
      used_memory: fields.used_memory ?? 'absent',
      keys: keys.join(','),
      dbsize: String(await client.dbsize()),
    };
  } finally {
    client.disconnect();
  }
}

/**
 * A read-through load: GET, and SET on a miss, over 600 keys of 100-900 bytes with a skew, by
 * three clients pipelining at once; the budget holds about a third of them, so keys are evicted.
 */
async function readThroughLoad(port: number, rounds: number): Promise<void> {
  const clients = [0, 1, 2].map(() => new Redis({ port, host: '127.0.0.1' }));
  try {
    await Promise.all(
      clients.map(async (client, c) => {
        let x = 12345 + c;
        const next = (): number => {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          return x / 4294967296;
        };
        for (let round = 0; round < rounds; round++) {
          const keys = Array.from({ length: 20 }, () => `k:${Math.floor(next() ** 2 * 600)}`);
          const got = await Promise.all(keys.map((key) => client.get(key)));
          await Promise.all(
            keys.map((key, i) => {
              if (got[i] !== null) {
                expect(got[i]!.startsWith(key)).toBe(true);
                return Promise.resolve();
              }
              const size = 100 + (Number(key.slice(2)) % 9) * 100;
              return client.set(key, `${key}:`.padEnd(size, 'v'));
            }),
          );
        }
      }),
    );
  } finally {
    clients.forEach((client) => client.disconnect());
  }
}

/**
 * Inline eviction only: with a headroom (the default), when evictions run depends on how the
 * commands arrive in reads, so identical streams may end in slightly different states, and the
 * mirrors' outcomes are compared key for key below.
 */
const NODE_ARGS = [
  ...LOCAL_NODE_ARGS,
  ...['--policy', 'lru', '--maxmemory', '120kb', '--eviction-headroom', '0'],
];

describe('mlcache gateway --mirror', () => {
  let nodes: RunningNode[] = [];
  beforeAll(async () => {
    nodes = await Promise.all([0, 1, 2, 3].map(() => startNode(NODE_ARGS)));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  });

  const hung: { server: Server | undefined; sockets: Socket[] } = {
    server: undefined,
    sockets: [],
  };
  afterEach(async () => {
    hung.sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => (hung.server ? hung.server.close(resolve) : resolve(undefined)));
    hung.server = undefined;
  });

  it('sends every mirror exactly the command stream of the primary', async () => {
    const [primary, a, b] = nodes.map((node) => node.listening.resp) as [number, number, number];
    const gateway = await startGateway([
      ...['--nodes', `127.0.0.1:${primary}`, '--primary-name', 'lru'],
      ...['--mirror', `a=127.0.0.1:${a}`, '--mirror', `b=127.0.0.1:${b}`],
    ]);
    try {
      await readThroughLoad(gateway.resp, 60);
      const report = await mirrorsSettled(gateway.admin);
      const [sp, sa, sb] = await Promise.all([primary, a, b].map(stats));
      // Same policy, same budget, same requests in the same order: the same outcome, key for key.
      expect(Number(sp!.evicted_keys)).toBeGreaterThan(0);
      expect(Number(sp!.keyspace_hits)).toBeGreaterThan(0);
      expect(sa).toEqual(sp);
      expect(sb).toEqual(sp);
      // Every command the primary served was copied (3 clients x 60 rounds x 20 GETs + SETs).
      const commands = Number(sp!.keyspace_hits) + Number(sp!.keyspace_misses) * 2;
      // (The primary also answered each client's INFO ready check.)
      expect(report.primary.name).toBe('lru');
      expect(report.primary.count).toBeGreaterThanOrEqual(commands);
      for (const mirror of report.mirrors) {
        expect(mirror).toMatchObject({ sent: commands, replies: commands, errors: 0 });
        expect(mirror.count).toBe(commands);
        expect(mirror.p50Ms).toBeGreaterThan(0);
        expect(mirror.p99Ms).toBeGreaterThanOrEqual(mirror.p50Ms!);
      }
      const metrics = await (await fetch(`http://127.0.0.1:${gateway.admin}/metrics`)).text();
      for (const pool of ['lru', 'a', 'b']) {
        expect(metrics).toMatch(
          new RegExp(`mlcache_gateway_pool_request_duration_seconds_count\\{[^}]*pool="${pool}"`),
        );
      }
      expect(metrics).toMatch(/mlcache_gateway_mirror_requests_total\{[^}]*pool="a"\} \d+/);
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  });

  it('copies a transaction to the mirrors as the primary runs it, MULTI to EXEC', async () => {
    const [primary, mirror] = nodes.map((node) => node.listening.resp) as [number, number];
    const gateway = await startGateway([
      ...['--nodes', `127.0.0.1:${primary}`],
      ...['--mirror', `m=127.0.0.1:${mirror}`],
    ]);
    const client = new Redis({ port: gateway.resp, host: '127.0.0.1' });
    try {
      const results = await client.multi().set('tx:m', '1').incr('tx:m').exec();
      expect(results).toEqual([
        [null, 'OK'],
        [null, 2],
      ]);
      const report = await mirrorsSettled(gateway.admin);
      expect(report.mirrors[0]).toMatchObject({ errors: 0 });
      const direct = new Redis({ port: mirror, host: '127.0.0.1' });
      expect(await direct.get('tx:m')).toBe('2');
      direct.disconnect();
    } finally {
      client.disconnect();
      expect(await gateway.stop()).toBe(0);
    }
  });

  it('keeps answering clients correctly when a mirror dies, and counts its errors', async () => {
    const primary = nodes[0]!.listening.resp;
    const doomed = nodes[3]!;
    const gateway = await startGateway([
      ...['--nodes', `127.0.0.1:${primary}`],
      ...['--mirror', `doomed=127.0.0.1:${doomed.listening.resp}`],
    ]);
    const client = new Redis({ port: gateway.resp, host: '127.0.0.1' });
    try {
      await client.set('before', 'one');
      await doomed.stop();
      for (let i = 0; i < 50; i++) {
        expect(await client.set(`after:${i}`, `v${i}`)).toBe('OK');
        expect(await client.get(`after:${i}`)).toBe(`v${i}`);
      }
      expect(await client.get('before')).toBe('one');
      const report = await mirrorReport(gateway.admin);
      const mirror = report.mirrors[0]!;
      expect(mirror.name).toBe('doomed');
      expect(mirror.state).toBe('down');
      expect(mirror.errors).toBeGreaterThanOrEqual(100);
      expect(mirror.sent).toBe(102);
      expect(mirror.inflight).toBe(0);
    } finally {
      client.disconnect();
      expect(await gateway.stop()).toBe(0);
    }
  });

  it('bounds what a hung mirror holds and pauses clients until it is reset', async () => {
    const server = createServer((socket) => {
      hung.sockets.push(socket);
      socket.on('data', () => {}); // reads, never answers
    });
    hung.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const gateway = await startGateway([
      ...['--nodes', `127.0.0.1:${nodes[0]!.listening.resp}`],
      ...['--mirror', `hung=127.0.0.1:${port}`, '--mirror-max-inflight', '16'],
      ...['--command-timeout', '800'],
    ]);
    const client = new Redis({ port: gateway.resp, host: '127.0.0.1' });
    try {
      const started = performance.now();
      const pending = Array.from({ length: 40 }, (_, i) => client.set(`hung:${i}`, 'x'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const during = await mirrorReport(gateway.admin);
      expect(during.mirrors[0]!.inflight).toBe(16);
      expect(during.backpressurePauses).toBeGreaterThan(0);
      // The clients wait for the mirror (fairness), until the watchdog resets it.
      expect(await Promise.all(pending)).toEqual(Array.from({ length: 40 }, () => 'OK'));
      expect(performance.now() - started).toBeGreaterThan(700);
      const after = await mirrorReport(gateway.admin);
      expect(after.mirrors[0]!.sent).toBe(40);
      expect(after.mirrors[0]!.errors).toBeGreaterThanOrEqual(16);
      expect(after.mirrors[0]!.inflight).toBeLessThanOrEqual(16);
    } finally {
      client.disconnect();
      expect(await gateway.stop()).toBe(0);
    }
  });
});
