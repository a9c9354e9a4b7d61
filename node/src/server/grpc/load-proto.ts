import { fileURLToPath } from 'node:url';
import { loadMlcacheService } from '../../platform/grpc-proto.ts';
import type { LoadedService } from '../../platform/grpc-proto.ts';

/** Where the API is defined; clients in tests and tools load the same file. */
export const CACHE_PROTO_PATH = fileURLToPath(
  new URL('../../../proto/cache.proto', import.meta.url),
);

/** Loads `mlcache.v1.Cache`; also returns the constructor-bearing package for clients. */
export function loadCacheService(): LoadedService {
  return loadMlcacheService(CACHE_PROTO_PATH, 'Cache');
}
