import { Redis } from 'ioredis';
import type { Random } from '../../util/random.ts';
import type { VersionModel, WriteKind } from './version-model.ts';

/**
 * A continuous write and read load through the gateway, checked against a VersionModel while it
 * runs: writer clients own disjoint key sets and write increasing versions (some with TTLs, some
 * DELs), reader clients read any key and check each answer the moment it arrives. The load is
 * paced to a total rate so that it does not starve the cluster it tests on a small machine, and
 * it stops when told to, letting every command in flight finish.
 */
export interface LoadOptions {
  readonly port: number;
  readonly host: string;
  readonly keys: number;
  readonly writers: number;
  readonly readers: number;
  /** Commands each client keeps in flight. */
  readonly concurrency: number;
  /** Total commands per second, all clients together. */
  readonly opsPerSecond: number;
  /** TTLs of `set-ttl` writes, uniform in [min, max] ms. */
  readonly ttlMs: readonly [number, number];
  /** Shares of writes that carry a TTL and that are DELs; the rest are plain SETs. */
  readonly ttlShare: number;
  readonly delShare: number;
  readonly random: Random;
  /** Wall-clock ms. */
  readonly now: () => number;
}

export interface LoadStats {
  writesAcked: number;
  writesFailed: number;
  readsChecked: number;
  readsFailed: number;
  /** The first few error messages, with counts. */
  readonly errors: Map<string, number>;
}

export interface RunningLoad {
  readonly stats: LoadStats;
  /** Stops issuing, waits for the commands in flight, closes the clients. */
  stop(): Promise<LoadStats>;
}

export const keyName = (i: number): string => `acc:${i}`;

export function startConsistencyLoad(options: LoadOptions, model: VersionModel): RunningLoad {
  const stats: LoadStats = {
    writesAcked: 0,
    writesFailed: 0,
    readsChecked: 0,
    readsFailed: 0,
    errors: new Map(),
  };
  const noteError = (error: unknown) => {
    const message = (error as Error).message ?? String(error);
    if (stats.errors.size < 10 || stats.errors.has(message)) {
      stats.errors.set(message, (stats.errors.get(message) ?? 0) + 1);
    }
  };
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(options.port, options.host, { maxRetriesPerRequest: 0 });
    client.on('error', noteError);
    clients.push(client);
    return client;
  };
  let stopped = false;
  const workers = (options.writers + options.readers) * options.concurrency;
  const intervalMs = (1000 * workers) / options.opsPerSecond;
  const paced = async (body: () => Promise<void>) => {
    const start = performance.now();
    for (let n = 0; !stopped; n++) {
      const wait = start + n * intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (stopped) break;
      await body();
    }
  };
  const { random, now } = options;

  const loops: Promise<void>[] = [];
  for (let w = 0; w < options.writers; w++) {
    const client = connect();
    const owned = Array.from({ length: Math.ceil((options.keys - w) / options.writers) }, (_, j) =>
      keyName(w + j * options.writers),
    );
    for (let c = 0; c < options.concurrency; c++) {
      loops.push(
        paced(async () => {
          const key = owned[random.int(owned.length)]!;
          const draw = random.next();
          const kind: WriteKind =
            draw < options.delShare
              ? 'del'
              : draw < options.delShare + options.ttlShare
                ? 'set-ttl'
                : 'set';
          const [min, max] = options.ttlMs;
          const write = model.beginWrite(key, kind, min + random.int(max - min + 1), now());
          if (write === undefined) return; // another worker of this client is writing it
          const value = `${key}:${write.version}`;
          try {
            if (kind === 'del') await client.del(key);
            else if (kind === 'set-ttl') await client.set(key, value, 'PX', write.ttlMs);
            else await client.set(key, value);
            model.ackWrite(write, now());
            stats.writesAcked++;
          } catch (error) {
            model.failWrite(write);
            stats.writesFailed++;
            noteError(error);
          }
        }),
      );
    }
  }
  for (let r = 0; r < options.readers; r++) {
    const client = connect();
    for (let c = 0; c < options.concurrency; c++) {
      loops.push(
        paced(async () => {
          const key = keyName(random.int(options.keys));
          const ticket = model.beginRead(key, now());
          try {
            const value = await client.get(key);
            model.checkRead(ticket, value, now());
            stats.readsChecked++;
          } catch (error) {
            stats.readsFailed++;
            noteError(error);
          }
        }),
      );
    }
  }

  return {
    stats,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
      return stats;
    },
  };
}
