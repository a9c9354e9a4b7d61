/**
 * Lua scripts on mlcache against redis-server (`npm run bench:eval`): redis-benchmark runs EVAL
 * of a one-command script (SET or GET of a random key), 50 clients, 100,000 random keys, without
 * pipelining and with -P 16, against a redis-server and an mlcache node started here, the two
 * alternating round by round. Prints the median ops/s of each and mlcache's ratio.
 *
 * Options: --rounds N (3), --requests N (100000; the same with -P 16).
 */
import { parseScriptArgs } from '../src/platform/script-args.ts';
import {
  benchOptions,
  benchSettings,
  CLIENTS,
  ensureTools,
  median,
  runRedisBenchmark,
  startMlcacheNode,
  startRedisServer,
  VALUE_SIZE,
} from './bench-support.ts';
import type { BenchServer } from './bench-support.ts';

const { values } = parseScriptArgs({ options: benchOptions(100_000, 100_000) });
const { rounds: ROUNDS, requests: REQUESTS, keys: KEYS } = benchSettings(values);

const SCRIPTS = {
  'EVAL SET': ["return redis.call('SET', KEYS[1], ARGV[1])", '1', 'key:__rand_int__', 'value'],
  'EVAL GET': ["return redis.call('GET', KEYS[1])", '1', 'key:__rand_int__'],
} as const;

function opsPerSecond(server: BenchServer, command: readonly string[], pipeline: number): number {
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
const servers = [await startRedisServer(), await startMlcacheNode()];
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
