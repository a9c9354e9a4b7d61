import { status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import type { OpStatus } from '../../core/status.ts';
import { statusError } from '../../platform/grpc-status.ts';
import type { ClusterRefusal } from './cluster-port.ts';

/**
 * Store outcomes to gRPC status codes, in one table. `null` marks outcomes that are answers, not
 * failures: a missing key is `found: false`, a condition that did not hold is `applied: false`.
 */
export const GRPC_STATUS: Readonly<Record<OpStatus, status | null>> = {
  OK: null,
  NOT_FOUND: null,
  NOT_APPLIED: null,
  OOM: status.RESOURCE_EXHAUSTED,
  TOO_LARGE: status.INVALID_ARGUMENT,
  // Not produced by this API (no INCR), mapped anyway so that every status has a code.
  NOT_INTEGER: status.FAILED_PRECONDITION,
  OVERFLOW: status.OUT_OF_RANGE,
  // Retryable: the disk may recover, or the client may try another replica.
  PERSISTENCE_FAILED: status.UNAVAILABLE,
};

/** The trailer that names the store status behind a failure (OOM, TOO_LARGE, ...). */
export { STATUS_TRAILER } from '../../platform/grpc-status.ts';

/** The trailer of a MOVED refusal: `<shard> <owner's gRPC host:port>`. */
export const MOVED_TRAILER = 'mlcache-moved';

/** Cluster refusals to gRPC status codes: MOVED and RING_BEHIND say "not here", the rest "not now". */
export const REFUSAL_STATUS: Readonly<Record<ClusterRefusal['reason'], status>> = {
  MOVED: status.FAILED_PRECONDITION,
  RING_BEHIND: status.FAILED_PRECONDITION,
  TRYAGAIN: status.UNAVAILABLE,
  CLUSTERDOWN: status.UNAVAILABLE,
  BAD_REQUEST: status.INVALID_ARGUMENT,
};

/** A failure to send back to the client as a gRPC status. */
export class GrpcCallError extends Error {
  readonly code: status;
  /** The store status behind the failure, or a name of our own (BAD_REQUEST, NO_AUTH). */
  readonly reason: string;

  /** More trailers to send besides mlcache-status (mlcache-moved). */
  readonly trailers: Readonly<Record<string, string>>;

  constructor(
    code: status,
    reason: string,
    message: string,
    options?: ErrorOptions & { trailers?: Readonly<Record<string, string>> },
  ) {
    super(message, options);
    this.name = 'GrpcCallError';
    this.code = code;
    this.reason = reason;
    this.trailers = options?.trailers ?? {};
  }

  /** The failure for a refusal of the cluster layer. */
  static fromRefusal(refusal: ClusterRefusal): GrpcCallError {
    const trailers = refusal.moved === undefined ? {} : { [MOVED_TRAILER]: refusal.moved };
    return new GrpcCallError(REFUSAL_STATUS[refusal.reason], refusal.reason, refusal.message, {
      trailers,
    });
  }

  /** A failure for a store status that is one (see GRPC_STATUS); undefined for answers. */
  static fromOpStatus(opStatus: OpStatus, what: string): GrpcCallError | undefined {
    const code = GRPC_STATUS[opStatus];
    return code === null ? undefined : new GrpcCallError(code, opStatus, `${what}: ${opStatus}`);
  }

  static badRequest(message: string): GrpcCallError {
    return new GrpcCallError(status.INVALID_ARGUMENT, 'BAD_REQUEST', message);
  }

  /** The object grpc-js sends as the call's status. */
  toServiceError(): Partial<ServiceError> {
    return statusError(this.code, this.reason, this.message, this.trailers);
  }
}
