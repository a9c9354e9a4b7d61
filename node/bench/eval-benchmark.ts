/**
 * Lua scripts on mlcache against redis-server (`npm run bench:eval`): redis-benchmark runs EVAL
 * of a one-command script (SET or GET of a random key), 50 clients, 100,000 random keys, without
 * pipelining and with -P 16, against a redis-server and an mlcache node started here, the two
 * alternating round by round. Prints the median ops/s of each and mlcache's ratio.
 *
 * Options: --rounds N (3), --requests N (100000; the same with -P 16).
 */
import { execFileSync, spawn } from 'node:child_process';
import { parseScriptArgs } from '../src/platform/script-args.ts';
import {
  benchOptions,
  benchSettings,
  CLIENTS,
  ensureTools,
  freePort,
  median,
  runRedisBenchmark,
  startListening,
  stopChild,
  VALUE_SIZE,
  waitForPing,
} from './bench-support.ts';

const { values } = parseScriptArgs({ options: benchOptions(100_000, 100_000) });
const { rounds: ROUNDS, requests: REQUESTS, keys: KEYS } = benchSettings(values);

const SCRIPTS = {
  'EVAL SET': ["return redis.call('SET', KEYS[1], ARGV[1])", '1', 'key:__rand_int__', 'value'],
  'EVAL GET': ["return redis.call('GET', KEYS[1])", '1', 'key:__rand_int__'],
} as const;

interface Server {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

async function startRedis(): Promise<Server> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  await waitForPing(port);
  const version = execFileSync('redis-server', ['--version']).toString().split(' ')[2] ?? '';
  return { name: `redis-server ${version}`, port, pid: child.pid!, stop: () => stopChild(child) };
}

async function startMlcache(): Promise<Server> {
  const port = await freePort();
  const { child, line } = await startListening(
    ['bin/mlcache.js', 'node', '--bind', '127.0.0.1', '--port', String(port)].concat([
      '--grpc-port',
      '0',
      '--admin-port',
      '0',
      '--maxmemory',
      '1gb',
      '--log-level',
      'warn',
    ]),
  );
  await waitForPing(port);
  return { name: 'mlcache node', port, pid: line.pid ?? child.pid!, stop: () => stopChild(child) };
}

function opsPerSecond(server: Server, command: readonly string[], pipeline: number): number {
  const run = {
    port: server.port,
    test: 'set',
    command: ['EVAL', ...command],
    clients: CLIENTS,
    valueSize: VALUE_SIZE,
    keyspace: KEYS,
    requests: REQUESTS,
    pipeline,
  } as const;
  return runRedisBenchmark(run, [server.pid]).rps;
}

ensureTools(['redis-server', 'redis-benchmark'], ['redis-server', 'redis-tools']);
const servers = [await startRedis(), await startMlcache()];
try {
  console.log(`${servers.map((s) => s.name).join(' vs ')}, ${ROUNDS} rounds, median ops/s`);
  console.log('| test | redis ops/s | mlcache ops/s | mlcache ÷ redis |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [name, command] of Object.entries(SCRIPTS)) {
    for (const pipeline of [1, 16]) {
      const samples: number[][] = servers.map(() => []);
      for (let round = 0; round < ROUNDS; round++) {
        servers.forEach((server, i) => samples[i]!.push(opsPerSecond(server, command, pipeline)));
      }
      const [redis, mlcache] = samples.map(median) as [number, number];
      const label = pipeline === 1 ? name : `${name} -P ${pipeline}`;
      const row = [label, redis.toFixed(0), mlcache.toFixed(0), (mlcache / redis).toFixed(2)];
      console.log(`| ${row.join(' | ')} |`);
    }
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
}
