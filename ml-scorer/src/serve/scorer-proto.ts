/**
 * node/proto/scorer.proto, loaded the way the node loads its own API (platform/grpc-proto.ts),
 * and the message shapes the service reads and writes in the proto's field names.
 */
import { fileURLToPath } from 'node:url';
import { loadMlcacheService } from '../../../node/src/platform/grpc-proto.ts';
import type { LoadedService } from '../../../node/src/platform/grpc-proto.ts';

export const SCORER_PROTO_PATH = fileURLToPath(
  new URL('../../../node/proto/scorer.proto', import.meta.url),
);

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
export function loadScorerService(): LoadedService {
  return loadMlcacheService(SCORER_PROTO_PATH, 'Scorer');
}
