import { loadPackageDefinition } from '@grpc/grpc-js';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { Options } from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

/** Where the API is defined; clients in tests and tools load the same file. */
export const CACHE_PROTO_PATH = fileURLToPath(
  new URL('../../../proto/cache.proto', import.meta.url),
);

/**
 * How the proto is turned into JavaScript objects, for the server and for clients:
 * - keepCase: fields keep their proto names (`expire_at_ms`), as in every other language;
 * - longs: Number: 64-bit fields are plain numbers (epoch milliseconds and counts stay far below
 *   2^53, and numbers are what the store uses);
 * - defaults: absent scalar fields read as 0, false or an empty Buffer instead of undefined;
 * - oneofs: the `expiry` oneof reads as the name of the field that is set.
 */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Loads `mlcache.v1.Cache`; also returns the constructor-bearing package for clients. */
export function loadCacheService(): {
  service: ServiceDefinition;
  grpcPackage: ReturnType<typeof loadPackageDefinition>;
} {
  const definition = loadSync(CACHE_PROTO_PATH, PROTO_LOADER_OPTIONS);
  const grpcPackage = loadPackageDefinition(definition);
  const cache = (
    grpcPackage.mlcache as unknown as { v1: { Cache: { service: ServiceDefinition } } }
  ).v1.Cache;
  return { service: cache.service, grpcPackage };
}
