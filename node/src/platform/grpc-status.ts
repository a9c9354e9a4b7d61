/**
 * The status a gRPC call of ours fails with: a code, details, and the `mlcache-status` trailer
 * naming the reason in words a client can test (OOM, FEATURE_VERSION, BAD_REQUEST, ...). The
 * node's Cache API and the scorer service both send it.
 */
import { Metadata } from '@grpc/grpc-js';
import type { ServiceError, status } from '@grpc/grpc-js';

/** The trailer that names the reason behind a failure. */
export const STATUS_TRAILER = 'mlcache-status';

/** The object grpc-js sends as a failed call's status, with `reason` in the trailer. */
export function statusError(
  code: status,
  reason: string,
  details: string,
  trailers: Readonly<Record<string, string>> = {},
): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set(STATUS_TRAILER, reason);
  for (const [name, value] of Object.entries(trailers)) metadata.set(name, value);
  return { code, details, metadata };
}
