import { credentials, Metadata } from '@grpc/grpc-js';
import type { Client, ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { loadCacheService } from './load-proto.ts';
import type { Entry, GetResponse, StatsResponse } from './messages.ts';

/**
 * A promise-based client of `mlcache.v1.Cache`, for tools, tests and (later) shard migration,
 * which reads one node with Scan and writes another with MultiSet. Requests are plain objects in
 * the proto's field names; see cache.proto for their meaning.
 */
export interface CacheClient {
  get(request: { key: Buffer }): Promise<GetResponse>;
  set(request: object): Promise<{ applied: boolean }>;
  delete(request: { keys: Buffer[] }): Promise<{ deleted: number }>;
  multiGet(request: { keys: Buffer[] }): Promise<{ results: GetResponse[] }>;
  multiSet(request: { items: object[] }): Promise<{ applied: boolean[] }>;
  stats(): Promise<StatsResponse>;
  /** The raw stream of batches; iterate it with `for await`, stop early with `cancel()`. */
  scan(request: object): ClientReadableStream<{ entries: Entry[] }>;
  close(): void;
}

type Callback = (error: ServiceError | null, response: unknown) => void;
type RawClient = Client & {
  [method: string]: (request: object, metadata: Metadata, callback: Callback) => void;
} & {
  Scan(request: object, metadata: Metadata): ClientReadableStream<{ entries: Entry[] }>;
};

/** Connects (lazily, on the first call) to `host:port`, without TLS. */
export function createCacheClient(
  address: string,
  options: { password?: string } = {},
): CacheClient {
  const { grpcPackage } = loadCacheService();
  const Cache = (
    grpcPackage.mlcache as unknown as { v1: { Cache: new (...args: unknown[]) => RawClient } }
  ).v1.Cache;
  const raw = new Cache(address, credentials.createInsecure());
  const metadata = (): Metadata => {
    const result = new Metadata();
    if (options.password !== undefined) result.set('authorization', `Bearer ${options.password}`);
    return result;
  };
  const call =
    <T>(method: string) =>
    (request: object = {}): Promise<T> =>
      new Promise((resolve, reject) => {
        raw[method]!(request, metadata(), (error, response) =>
          error ? reject(error) : resolve(response as T),
        );
      });
  return {
    get: call('Get'),
    set: call('Set'),
    delete: call('Delete'),
    multiGet: call('MultiGet'),
    multiSet: call('MultiSet'),
    stats: call('Stats'),
    scan: (request) => raw.Scan(request, metadata()),
    close: () => raw.close(),
  };
}
