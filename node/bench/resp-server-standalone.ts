/**
 * The RESP front end over a Store, without the rest of the node: for profiling it alone
 * (`npx node --cpu-prof node/bench/resp-server-standalone.ts --port 6380`), and the benchmark's
 * stand-in when `mlcache node` cannot open its RESP port. Takes the node's flags that matter
 * here (--port, --bind, --maxmemory, --policy, --durability, --data-dir) and prints the node's
 * `listening` JSON line.
 *
 * `--store constant` replaces the Store with one that holds nothing and answers every GET with
 * the same 100 bytes: what is left is the cost of the RESP front end and of the sockets.
 */
import { parseScriptArgs } from '../src/platform/script-args.ts';
import type { Persistence } from '../src/core/persistence.ts';
import { Store } from '../src/core/store.ts';
import type { CacheStore, SetResult, StoreStats } from '../src/core/store-types.ts';
import { NO_STORE_MEMORY } from '../src/core/store-types.ts';
import { openRocksPersistence } from '../src/persistence/rocks-persistence.ts';
import { createRespServer } from '../src/server/resp/create-resp-server.ts';
import { parseBytes } from '../src/util/bytes.ts';
import { createSystemClock } from '../src/util/clock.ts';

const { values } = parseScriptArgs({
  options: {
    port: { type: 'string', default: '6380' },
    bind: { type: 'string', default: '127.0.0.1' },
    maxmemory: { type: 'string', default: '1gb' },
    policy: { type: 'string', default: 'lru' },
    durability: { type: 'string', default: 'none' },
    'data-dir': { type: 'string', default: '' },
    store: { type: 'string', default: 'real' },
  },
  strict: false,
});

const clock = createSystemClock();
const durability = String(values.durability);
let persistence: (Persistence & { close(): Promise<void> }) | undefined;
if (durability === 'async' || durability === 'sync') {
  persistence = await openRocksPersistence({ dir: String(values['data-dir']), durability, clock });
}
const store: CacheStore =
  values.store === 'constant'
    ? constantStore()
    : new Store({
        clock,
        maxMemory: parseBytes(String(values.maxmemory)) ?? 0,
        policy: String(values.policy),
        ...(persistence ? { persistence } : {}),
      });
const server = createRespServer({ store, clock, nodeName: 'standalone', durability });
const address = await server.listen(Number(values.port), String(values.bind));
const expiry = setInterval(() => store.expireStep(200), 100);
expiry.unref();
process.stdout.write(
  `${JSON.stringify({ event: 'listening', resp: address.port, pid: process.pid })}\n`,
);

const stop = (): void => {
  clearInterval(expiry);
  void server
    .close()
    .then(() => persistence?.close())
    .then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

/** A store that keeps nothing: every key holds the same 100 bytes, every write succeeds. */
function constantStore(): CacheStore {
  const value = Buffer.alloc(100, 'x');
  const ok: SetResult = { status: 'OK', previous: undefined };
  const stats: StoreStats = {
    hits: 0,
    misses: 0,
    evictedCapacity: 0,
    evictedAhead: 0,
    evictedExpired: 0,
    items: 0,
    itemsWithTtl: 0,
    bytesUsed: 0,
    bytesCapacity: 0,
    policy: 'constant',
  };
  return {
    get: () => value,
    peek: () => value,
    has: () => true,
    frequencyOf: () => -1,
    memoryUsage: () => -1,
    idleSeconds: () => -1,
    observeChanges: () => {},
    set: () => ok,
    delete: () => true,
    expireAtOf: () => -1,
    setExpireAt: () => true,
    incrBy: () => ({ status: 'OK', value: 1 }),
    append: () => ({ status: 'OK', value: 1 }),
    update: () => 'NOT_APPLIED',
    size: () => 0,
    clear: () => {},
    scan: () => ({ cursor: 0, keys: [] }),
    randomKey: () => undefined,
    expireStep: () => 0,
    stats: () => stats,
    memory: () => NO_STORE_MEMORY,
    durable: () => undefined,
  };
}
