import { credentials, Metadata } from '@grpc/grpc-js';
import type { CallOptions, Client, ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { loadCacheService } from './load-proto.ts';
import type { FetchKeysResponse, GetResponse, ScanResponse, StatsResponse } from './messages.ts';

/**
 * A promise-based client of `mlcache.v1.Cache`, for tools, tests and shard migration (a new owner
 * pulls a shard from its old owner with Scan and FetchKeys). Requests are plain objects in the
 * proto's field names; see cache.proto for their meaning.
 */
export interface CacheClient {
  get(request: { key: Buffer }): Promise<GetResponse>;
  set(request: object): Promise<{ applied: boolean }>;
  delete(request: { keys: Buffer[] }): Promise<{ deleted: number }>;
  multiGet(request: { keys: Buffer[] }): Promise<{ results: GetResponse[] }>;
  multiSet(request: object): Promise<{ applied: boolean[] }>;
  stats(): Promise<StatsResponse>;
  /** Migration: what the node holds of `keys`; rejects after `deadlineMs` (default 5 s). */
  fetchKeys(
    request: { keys: Buffer[]; shard_count: number; ring_epoch: number },
    options?: { deadlineMs?: number },
  ): Promise<FetchKeysResponse>;
  /** The raw stream of batches; iterate it with `for await`, stop early with `cancel()`. */
  scan(request: object): ClientReadableStream<ScanResponse>;
  close(): void;
}

type Callback = (error: ServiceError | null, response: unknown) => void;
type RawClient = Client & {
  [method: string]: (
    request: object,
    metadata: Metadata,
    options: CallOptions,
    callback: Callback,
  ) => void;
} & {
  Scan(request: object, metadata: Metadata): ClientReadableStream<ScanResponse>;
};

const DEFAULT_DEADLINE_MS = 5000;

/** Connects (lazily, on the first call) to `host:port`, without TLS. */
export function createCacheClient(
  address: string,
  options: {
    password?: string | undefined;
    /** Largest message accepted from the node; -1 for no limit. @default grpc-js's 4 MiB */
    maxReceiveMessageBytes?: number;
  } = {},
): CacheClient {
  const Cache = loadCacheService().client as unknown as new (...args: unknown[]) => RawClient;
  const channelOptions =
    options.maxReceiveMessageBytes === undefined
      ? {}
      : { 'grpc.max_receive_message_length': options.maxReceiveMessageBytes };
  const raw = new Cache(address, credentials.createInsecure(), channelOptions);
  const metadata = (): Metadata => {
    const result = new Metadata();
    if (options.password !== undefined) result.set('authorization', `Bearer ${options.password}`);
    return result;
  };
  const call =
    <T>(method: string) =>
    (request: object = {}, callOptions: { deadlineMs?: number } = {}): Promise<T> =>
      new Promise((resolve, reject) => {
        const deadline =
          callOptions.deadlineMs === undefined
            ? {}
            : {
                deadline: Date.now() + callOptions.deadlineMs,
              };
        raw[method]!(request, metadata(), deadline, (error, response) =>
          error ? reject(error) : resolve(response as T),
        );
      });
  const fetch = call<FetchKeysResponse>('FetchKeys');
  return {
    get: call('Get'),
    set: call('Set'),
    delete: call('Delete'),
    multiGet: call('MultiGet'),
    multiSet: call('MultiSet'),
    stats: call('Stats'),
    fetchKeys: (request, fetchOptions = {}) =>
      fetch(request, { deadlineMs: fetchOptions.deadlineMs ?? DEFAULT_DEADLINE_MS }),
    scan: (request) => raw.Scan(request, metadata()),
    close: () => raw.close(),
  };
}
