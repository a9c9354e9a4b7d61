import { credentials, Metadata, status } from '@grpc/grpc-js';
import type { Client, ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Persistence } from '../../src/core/persistence.ts';
import { Store } from '../../src/core/store.ts';
import { createNodeStats } from '../../src/metrics/node-stats.ts';
import { listenGrpc } from '../../src/server/grpc/create-grpc-server.ts';
import type { GrpcListener } from '../../src/server/grpc/create-grpc-server.ts';
import { createCacheClient } from '../../src/server/grpc/cache-client.ts';
import { loadCacheService } from '../../src/server/grpc/load-proto.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { createLogger } from '../../src/util/logger.ts';

type Callback = (error: ServiceError | null, response: Record<string, unknown>) => void;
type CacheClient = Client &
  Record<string, (request: object, metadata: Metadata, callback: Callback) => void> & {
    Scan(request: object, metadata: Metadata): ClientReadableStream<{ entries: Entry[] }>;
  };
interface Entry {
  key: Buffer;
  value: Buffer;
  expire_at_ms: number;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface StartOptions {
  readonly maxMemory?: number;
  readonly requirepass?: string;
  readonly persistence?: Persistence;
}

async function start(options: StartOptions = {}) {
  const clock = new ManualClock();
  const store = new Store({
    clock,
    maxMemory: options.maxMemory ?? 0,
    maxValueSize: 1024,
    ...(options.persistence ? { persistence: options.persistence } : {}),
  });
  const logger = createLogger({ clock, level: 'silent', write: () => {} });
  const stats = createNodeStats({
    node: 'n1',
    durability: 'none',
    store,
    state: () => 'ready',
    uptimeMs: () => 42,
  });
  const listener: GrpcListener = await listenGrpc(
    {
      store,
      clock,
      stats,
      requirepass: options.requirepass ?? null,
      maxMessageBytes: 2048,
      logger,
    },
    '127.0.0.1',
    0,
  );
  cleanups.push(() => listener.close(100));
  const Cache = (
    loadCacheService().grpcPackage.mlcache as never as {
      v1: { Cache: new (...args: unknown[]) => CacheClient };
    }
  ).v1.Cache;
  const client = new Cache(`127.0.0.1:${listener.port}`, credentials.createInsecure());
  cleanups.push(() => client.close());
  const call = (method: string, request: object, metadata = new Metadata()) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      client[method]!(request, metadata, (error, response) =>
        error ? reject(error) : resolve(response),
      );
    });
  const failure = async (
    method: string,
    request: object,
    metadata?: Metadata,
  ): Promise<ServiceError> => {
    try {
      await call(method, request, metadata);
    } catch (error) {
      return error as ServiceError;
    }
    throw new Error(`${method} succeeded`);
  };
  const scan = async (request: object): Promise<Entry[][]> => {
    const batches: Entry[][] = [];
    for await (const message of client.Scan(request, new Metadata())) {
      batches.push((message as { entries: Entry[] }).entries);
    }
    return batches;
  };
  return { clock, store, client, port: listener.port, call, failure, scan };
}

const b = (text: string) => Buffer.from(text);

describe('gRPC Cache service', () => {
  it('sets, gets and deletes binary keys and values', async () => {
    const { call } = await start();
    const key = Buffer.from([0, 255, 10]);
    expect(await call('Set', { key, value: b('v1') })).toEqual({ applied: true });
    expect(await call('Get', { key })).toEqual({ found: true, value: b('v1'), expire_at_ms: 0 });
    expect(await call('Get', { key: b('absent') })).toEqual({
      found: false,
      value: Buffer.alloc(0),
      expire_at_ms: 0,
    });
    expect(await call('Delete', { keys: [key, b('absent')] })).toEqual({ deleted: 1 });
    expect(await call('Get', { key })).toMatchObject({ found: false });
  });

  it('honours ttl_ms, expire_at_ms, nx and xx', async () => {
    const { call, failure, clock } = await start();
    const now = clock.now();
    await call('Set', { key: b('t'), value: b('x'), ttl_ms: 1000 });
    expect(await call('Get', { key: b('t') })).toMatchObject({
      found: true,
      expire_at_ms: now + 1000,
    });
    await call('Set', { key: b('a'), value: b('x'), expire_at_ms: now + 5000 });
    expect(await call('Get', { key: b('a') })).toMatchObject({ expire_at_ms: now + 5000 });
    clock.advance(1000);
    expect(await call('Get', { key: b('t') })).toMatchObject({ found: false });

    expect(await call('Set', { key: b('a'), value: b('y'), nx: true })).toEqual({ applied: false });
    expect(await call('Set', { key: b('new'), value: b('y'), xx: true })).toEqual({
      applied: false,
    });
    expect(await call('Set', { key: b('new'), value: b('y'), nx: true })).toEqual({
      applied: true,
    });

    const zeroTtl = await failure('Set', { key: b('k'), value: b('v'), ttl_ms: 0 });
    expect(zeroTtl.code).toBe(status.INVALID_ARGUMENT);
  });

  it('maps store failures to status codes with the store status in a trailer', async () => {
    const { failure } = await start({ maxMemory: 1 });
    const oom = await failure('Set', { key: b('k'), value: b('v') });
    expect(oom.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(oom.metadata.get('mlcache-status')).toEqual(['OOM']);

    const { failure: failure2 } = await start();
    const large = await failure2('Set', { key: b('k'), value: Buffer.alloc(1025) });
    expect(large.code).toBe(status.INVALID_ARGUMENT);
    expect(large.metadata.get('mlcache-status')).toEqual(['TOO_LARGE']);
    const both = await failure2('Set', { key: b('k'), value: b('v'), nx: true, xx: true });
    expect(both.code).toBe(status.INVALID_ARGUMENT);
    expect(both.metadata.get('mlcache-status')).toEqual(['BAD_REQUEST']);
  });

  it('waits for durability and reports a failed write as UNAVAILABLE', async () => {
    let fail = false;
    const persistence: Persistence = {
      put: () => {},
      delete: () => {},
      clear: () => {},
      barrier: () => (fail ? Promise.reject(new Error('disk full')) : Promise.resolve()),
      writable: true,
    };
    const { call, failure } = await start({ persistence });
    expect(await call('Set', { key: b('k'), value: b('v') })).toEqual({ applied: true });
    fail = true;
    const error = await failure('Set', { key: b('k'), value: b('w') });
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.metadata.get('mlcache-status')).toEqual(['PERSISTENCE_FAILED']);
  });

  it('reads and writes in bulk, in request order', async () => {
    const { call, failure } = await start({ maxMemory: 0 });
    expect(
      await call('MultiSet', {
        items: [
          { key: b('a'), value: b('1') },
          { key: b('b'), value: b('2'), nx: true },
          { key: b('a'), value: b('3'), nx: true },
        ],
      }),
    ).toEqual({ applied: [true, true, false] });
    const got = await call('MultiGet', { keys: [b('b'), b('zz'), b('a')] });
    expect(
      (got.results as { found: boolean; value: Buffer }[]).map(
        (r) => r.found && r.value.toString(),
      ),
    ).toEqual(['2', false, '1']);
    const error = await failure('MultiSet', {
      items: [
        { key: b('c'), value: b('1') },
        { key: b('d'), value: Buffer.alloc(1025) },
      ],
    });
    expect(error.details).toBe('items[1]: TOO_LARGE');
    expect(await call('Get', { key: b('c') })).toMatchObject({ found: true });
  });

  it('reports stats', async () => {
    const { call } = await start();
    await call('Set', { key: b('k'), value: b('v') });
    await call('Get', { key: b('k') });
    await call('Get', { key: b('nope') });
    expect(await call('Stats', {})).toMatchObject({
      node: 'n1',
      policy: 'lru',
      state: 'ready',
      uptime_ms: 42,
      items: 1,
      hits: 1,
      misses: 1,
      durability: 'none',
      persistence_state: 'disabled',
    });
  });

  it('streams a key range in batches, with values and expiry, without counting hits', async () => {
    const { call, scan, clock, store } = await start();
    const keys = Array.from({ length: 50 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    await call('MultiSet', {
      items: keys.map((key, i) => ({
        key: b(key),
        value: b(`v${i}`),
        ...(i === 7 ? { ttl_ms: 60_000 } : {}),
      })),
    });
    const hitsBefore = store.stats().hits;

    const all = await scan({ batch_size: 8, include_values: true });
    expect(all.every((batch) => batch.length <= 8 && batch.length > 0)).toBe(true);
    const entries = all.flat();
    expect(entries.map((e) => e.key.toString()).sort()).toEqual(keys);
    const seven = entries.find((e) => e.key.toString() === 'k07');
    expect(seven).toEqual({
      key: b('k07'),
      value: b('v7'),
      expire_at_ms: clock.now() + 60_000,
      deleted: false,
    });

    const range = (await scan({ start_key: b('k10'), end_key: b('k20') })).flat();
    expect(range.map((e) => e.key.toString()).sort()).toEqual(keys.slice(10, 20));
    expect(range.every((e) => e.value.length === 0)).toBe(true);
    expect(store.stats().hits).toBe(hitsBefore);

    expect(await scan({ start_key: b('x') })).toEqual([]);
  });

  it('stops scanning when the reader cancels', async () => {
    const { call, client, store } = await start();
    await call('MultiSet', {
      items: Array.from({ length: 3000 }, (_, i) => ({ key: b(`k${i}`), value: b('v') })),
    });
    const stream = client.Scan({ batch_size: 10 }, new Metadata());
    const first = await new Promise<unknown>((resolve) => stream.once('data', resolve));
    expect((first as { entries: unknown[] }).entries).toHaveLength(10);
    stream.cancel();
    await new Promise((resolve) => stream.on('error', resolve));
    // The node keeps serving after the cancelled stream.
    expect(await call('Get', { key: b('k1') })).toMatchObject({ found: true });
    expect(store.size()).toBe(3000);
  });

  it('works through the promise-based client, password included', async () => {
    const { port } = await start({ requirepass: 'pw' });
    const client = createCacheClient(`127.0.0.1:${port}`, { password: 'pw' });
    cleanups.push(() => client.close());
    expect(await client.multiSet({ items: [{ key: b('a'), value: b('1') }] })).toEqual({
      applied: [true],
    });
    expect(await client.get({ key: b('a') })).toMatchObject({ found: true, value: b('1') });
    const keys: string[] = [];
    for await (const batch of client.scan({ include_values: true })) {
      keys.push(
        ...(batch as { entries: { key: Buffer }[] }).entries.map((entry) => entry.key.toString()),
      );
    }
    expect(keys).toEqual(['a']);
    expect(await client.stats()).toMatchObject({ items: 1 });
  });

  it('refuses calls without the password when one is set', async () => {
    const { call, failure, scan } = await start({ requirepass: 'pw' });
    expect((await failure('Get', { key: b('k') })).code).toBe(status.UNAUTHENTICATED);
    const wrong = new Metadata();
    wrong.set('authorization', 'Bearer nope');
    expect((await failure('Get', { key: b('k') }, wrong)).code).toBe(status.UNAUTHENTICATED);
    const right = new Metadata();
    right.set('authorization', 'Bearer pw');
    expect(await call('Get', { key: b('k') }, right)).toMatchObject({ found: false });
    await expect(scan({})).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
  });
});
