/**
 * Loading a `.proto` of node/proto the way every gRPC user of this code base does, so that the
 * node's API, the scorer service and their clients see the same JavaScript shapes.
 */
import { loadPackageDefinition } from '@grpc/grpc-js';
import type { GrpcObject, ServiceClientConstructor, ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { Options } from '@grpc/proto-loader';

/**
 * How a proto is turned into JavaScript objects, for servers and for clients:
 * - keepCase: fields keep their proto names (`expire_at_ms`), as in every other language;
 * - longs: Number: 64-bit fields are plain numbers (epoch milliseconds and counts stay far below
 *   2^53, and numbers are what the store uses);
 * - defaults: absent scalar fields read as 0, false or an empty Buffer instead of undefined;
 * - oneofs: a oneof reads as the name of the field that is set.
 */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** A service of package `mlcache.v1`: its definition (for servers) and client class. */
export interface LoadedService {
  readonly service: ServiceDefinition;
  readonly client: ServiceClientConstructor;
  /** The whole loaded package. */
  readonly grpcPackage: GrpcObject;
}

/** Loads `protoPath` and returns `mlcache.v1.<name>`. */
export function loadMlcacheService(protoPath: string, name: string): LoadedService {
  const grpcPackage = loadPackageDefinition(loadSync(protoPath, PROTO_LOADER_OPTIONS));
  const v1 = (grpcPackage.mlcache as unknown as { v1: Record<string, ServiceClientConstructor> })
    .v1;
  const client = v1[name];
  if (client === undefined) throw new Error(`${protoPath} has no service mlcache.v1.${name}`);
  return { service: client.service, client, grpcPackage };
}
