import { status } from '@grpc/grpc-js';
import type { handleUnaryCall, Metadata, ServiceError } from '@grpc/grpc-js';
import type { Logger } from '../../util/logger.ts';
import { GrpcCallError } from './status-map.ts';

/** Checks a call's credentials; throws a GrpcCallError to refuse it. */
export type AuthCheck = (metadata: Metadata) => void;

/**
 * Adapts an async function of the request to grpc-js's callback style: a GrpcCallError becomes
 * its status, anything else is logged and becomes INTERNAL (its message is not sent, as it may
 * reveal internals).
 */
export function unary<Req, Res>(
  auth: AuthCheck,
  logger: Logger,
  handle: (request: Req) => Res | Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const run = async (): Promise<Res> => {
      auth(call.metadata);
      return handle(call.request);
    };
    run().then(
      (response) => callback(null, response),
      (error: unknown) => callback(toServiceError(error, logger, call.getPath())),
    );
  };
}

/** The status to send for an error thrown by a handler. */
export function toServiceError(
  error: unknown,
  logger: Logger,
  path: string,
): Partial<ServiceError> {
  if (error instanceof GrpcCallError) return error.toServiceError();
  logger.error('grpc call failed', { path, error });
  return { code: status.INTERNAL, details: 'internal error' };
}
