/**
 * node/proto/scorer.proto, loaded the way the node loads its own API (keepCase, longs as Number,
 * defaults), and the message shapes the service reads and writes in the proto's field names.
 */
import { loadPackageDefinition } from '@grpc/grpc-js';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

export const SCORER_PROTO_PATH = fileURLToPath(
  new URL('../../../node/proto/scorer.proto', import.meta.url),
);

/** The trailer naming why a call failed (FEATURE_VERSION, BAD_REQUEST), as on the node's API. */
export const STATUS_TRAILER = 'mlcache-status';

export interface ScoreRequest {
  feature_schema_version: number;
  n_features: number;
  n: number;
  rows: Buffer;
}

export interface ScoreResponse {
  scores: Buffer;
  model_version: number;
}

export interface SubmitSamplesRequest extends ScoreRequest {
  node: string;
  labels: Buffer;
  base: string;
}

export interface SubmitSamplesResponse {
  accepted: number;
  window_rows: number;
}

export interface WatchModelRequest {
  after_version: number;
}

export interface ModelUpdate {
  version: number;
  feature_schema_version: number;
  n_features: number;
  onnx: Buffer;
  installed_at_ms: number;
  training_rows: number;
  source: string;
}

export interface ScorerStatusResponse {
  model_version: number;
  feature_schema_version: number;
  window_rows: number;
  trainings: number;
  models_refused: number;
  installed_at_ms: number;
}

/** `mlcache.v1.Scorer`'s service definition, and the package (clients in tests use it). */
export function loadScorerService(): {
  service: ServiceDefinition;
  grpcPackage: ReturnType<typeof loadPackageDefinition>;
} {
  const definition = loadSync(SCORER_PROTO_PATH, {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const grpcPackage = loadPackageDefinition(definition);
  const scorer = (
    grpcPackage.mlcache as unknown as { v1: { Scorer: { service: ServiceDefinition } } }
  ).v1.Scorer;
  return { service: scorer.service, grpcPackage };
}
