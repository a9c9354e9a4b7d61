/**
 * node/proto/scorer.proto loaded for a client, with the options every gRPC user of this code base
 * uses (keepCase, longs as Number, defaults), and the message shapes the client reads.
 */
import type { Client, ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import { fileURLToPath } from 'node:url';
import { loadMlcacheService } from '../platform/grpc-proto.ts';

export const SCORER_PROTO_PATH = fileURLToPath(
  new URL('../../proto/scorer.proto', import.meta.url),
);

export interface ScoreResponse {
  readonly scores: Buffer;
  readonly model_version: number;
}

export interface SubmitSamplesResponse {
  readonly accepted: number;
  readonly window_rows: number;
}

export interface ModelUpdate {
  readonly version: number;
  readonly feature_schema_version: number;
  readonly n_features: number;
  readonly onnx: Buffer;
  readonly installed_at_ms: number;
  readonly training_rows: number;
  readonly source: string;
}

export interface ScorerStatusResponse {
  readonly model_version: number;
  readonly feature_schema_version: number;
  readonly window_rows: number;
  readonly trainings: number;
  readonly models_refused: number;
  readonly installed_at_ms: number;
}

/** The generated client class of `mlcache.v1.Scorer`. */
export type ScorerClientConstructor = new (
  address: string,
  credentials: ChannelCredentials,
  options?: ChannelOptions,
) => Client;

export function loadScorerClientConstructor(): ScorerClientConstructor {
  return loadMlcacheService(SCORER_PROTO_PATH, 'Scorer').client;
}
