/**
 * mlcache against redis-server with redis-benchmark (`npm run bench:node`), on this machine.
 *
 *   1. Installs redis-server and redis-tools with apt when they are missing.
 *   2. Starts redis-server (--save '' --appendonly no, the same maxmemory, allkeys-lru) and an
 *      mlcache node (`mlcache node`, or node/bench/resp-server-standalone.ts while the node's CLI
 *      does not open its RESP port), for each durability mode asked for.
 *   3. Loads the same 1,000,000 keys of 100 bytes into each (pipelined SETs of key:%012d, the
 *      names redis-benchmark -r uses) and reports the resident-memory growth per key.
 *   4. Runs redis-benchmark SET and GET, 50 clients, -d 100, -r 1000000, without pipelining and
 *      with -P 16, alternating the two servers round by round, and reports the median ops/s,
 *      p50/p99 latency and server CPU time per operation (from /proc/<pid>/stat), and the ratios.
 *
 * Options: --rounds N (3), --requests N (300000; x8 with -P 16), --durability none,async
 *          (add `front-end` for the RESP front end over a store that holds nothing: the cost of
 *          the protocol, dispatch and sockets alone), --keys N (1000000), --markdown.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseScriptArgs } from '../src/platform/script-args.ts';
import {
  ensureTools,
  loadKeys,
  medians,
  runRedisBenchmark,
  startListening,
  stopChild,
  benchOptions,
  benchSettings,
  CLIENTS,
  VALUE_SIZE,
  freePort,
  waitForPing,
} from './bench-support.ts';

const { values } = parseScriptArgs({
  options: {
    ...benchOptions(300_000, 1_000_000),
    durability: { type: 'string', default: 'none,async' },
  },
});
const { rounds: ROUNDS, requests: REQUESTS, keys: KEYS } = benchSettings(values);
const MODES = String(values.durability).split(',');
const MAXMEMORY = '1gb';

interface Running {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly how: string;
  stop(): Promise<void>;
}

interface Sample {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUsPerOp: number;
}

async function startRedis(): Promise<Running> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'].concat([
      '--maxmemory',
      MAXMEMORY,
      '--maxmemory-policy',
      'allkeys-lru',
    ]),
    { stdio: 'ignore' },
  );
  await waitForPing(port);
  const version = execFileSync('redis-server', ['--version']).toString().split(' ')[2] ?? '';
  return {
    name: 'redis',
    port,
    pid: child.pid!,
    how: `redis-server ${version}`,
    stop: () => stopChild(child),
  };
}

async function startMlcache(durability: string, dataDir: string): Promise<Running> {
  const port = await freePort();
  if (durability === 'front-end') {
    const flags = ['--port', String(port), '--bind', '127.0.0.1', '--store', 'constant'];
    const { child } = await startListening(['node/bench/resp-server-standalone.ts', ...flags]);
    await waitForPing(port);
    const how = 'resp-server-standalone.ts --store constant';
    return {
      name: 'mlcache front end only',
      port,
      pid: child.pid!,
      how,
      stop: () => stopChild(child),
    };
  }
  const flags = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--maxmemory',
    MAXMEMORY,
    '--durability',
    durability,
  ];
  if (durability !== 'none') flags.push('--data-dir', dataDir);
  const name = `mlcache ${durability}`;
  try {
    const cli = [
      'bin/mlcache.js',
      'node',
      ...flags,
      '--admin-port',
      '0',
      '--grpc-port',
      '0',
      '--log-level',
      'warn',
    ];
    const { child, line } = await startListening(cli);
    if (line.resp === port) {
      await waitForPing(port);
      return {
        name,
        port,
        pid: line.pid ?? child.pid!,
        how: 'mlcache node (CLI)',
        stop: () => stopChild(child),
      };
    }
    await stopChild(child);
  } catch {
    // The node's CLI cannot serve RESP (yet): fall back to the standalone front end.
  }
  const { child } = await startListening(['node/bench/resp-server-standalone.ts', ...flags]);
  await waitForPing(port);
  return {
    name,
    port,
    pid: child.pid!,
    how: 'resp-server-standalone.ts',
    stop: () => stopChild(child),
  };
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

function benchmark(server: Running, test: 'set' | 'get', pipeline: number): Sample {
  const requests = pipeline > 1 ? REQUESTS * 8 : REQUESTS;
  const run = {
    port: server.port,
    test,
    clients: CLIENTS,
    valueSize: VALUE_SIZE,
    requests,
    pipeline,
  };
  const { rps, p50, p99, cpuSeconds } = runRedisBenchmark({ ...run, keyspace: 1000000 }, [
    server.pid,
  ]);
  return { rps, p50, p99, cpuUsPerOp: (cpuSeconds[0]! * 1e6) / requests };
}

ensureTools(['redis-server', 'redis-benchmark'], ['redis-server', 'redis-tools']);
const started: Running[] = [];
const stopAll = async (): Promise<void> => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
};
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

const lines: string[] = [];
const print = (line: string): void => {
  console.log(line);
  lines.push(line);
};

try {
  print(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  print(
    `redis-benchmark -c ${CLIENTS} -d ${VALUE_SIZE} -r 1000000, -n ${REQUESTS} (x8 with -P 16), ${ROUNDS} rounds, medians`,
  );
  const redis = await startRedis();
  started.push(redis);
  const redisRss = rssBytes(redis.pid);
  await loadKeys(redis.port, KEYS, VALUE_SIZE);
  const redisPerKey = (rssBytes(redis.pid) - redisRss) / KEYS;

  for (const mode of MODES) {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlcache-bench-'));
    const mlcache = await startMlcache(mode, dataDir);
    started.push(mlcache);
    const rss = rssBytes(mlcache.pid);
    await loadKeys(mlcache.port, KEYS, VALUE_SIZE);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const perKey = (rssBytes(mlcache.pid) - rss) / KEYS;
    print('');
    print(`## ${mlcache.name} (${mlcache.how}) vs ${redis.how}`);
    print(
      `memory: RSS growth per key after loading ${KEYS} keys of ${VALUE_SIZE} B: ` +
        `mlcache ${perKey.toFixed(0)} B, redis ${redisPerKey.toFixed(0)} B (x${(perKey / redisPerKey).toFixed(2)})`,
    );
    print('');
    print(
      '| test | redis ops/s | mlcache ops/s | ratio | redis p50/p99 ms | mlcache p50/p99 ms | p99 ratio | redis CPU µs/op | mlcache CPU µs/op |',
    );
    print('|---|---|---|---|---|---|---|---|---|');
    for (const pipeline of [1, 16]) {
      for (const test of ['set', 'get'] as const) {
        const ours: Sample[] = [];
        const theirs: Sample[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          // Alternate who goes first, so that drift on a shared machine hits both alike.
          if (round % 2 === 0) {
            theirs.push(benchmark(redis, test, pipeline));
            ours.push(benchmark(mlcache, test, pipeline));
          } else {
            ours.push(benchmark(mlcache, test, pipeline));
            theirs.push(benchmark(redis, test, pipeline));
          }
        }
        const a = medians(theirs);
        const b = medians(ours);
        print(
          `| ${test.toUpperCase()} -P ${pipeline} | ${a.rps.toFixed(0)} | ${b.rps.toFixed(0)} | ${(b.rps / a.rps).toFixed(2)} ` +
            `| ${a.p50.toFixed(3)} / ${a.p99.toFixed(3)} | ${b.p50.toFixed(3)} / ${b.p99.toFixed(3)} | ${(b.p99 / a.p99).toFixed(2)} ` +
            `| ${a.cpuUsPerOp.toFixed(2)} | ${b.cpuUsPerOp.toFixed(2)} |`,
        );
      }
    }
    await mlcache.stop();
    started.splice(started.indexOf(mlcache), 1);
    rmSync(dataDir, { recursive: true, force: true });
  }
} finally {
  await stopAll();
}
if (values.markdown) console.log(`\n${lines.join('\n')}`);
