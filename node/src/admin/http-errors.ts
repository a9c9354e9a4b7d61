import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../util/logger.ts';

/**
 * The admin port's error replies, in one table: a stable `code` that clients can test, the HTTP
 * status and a message. Bodies are `{"error":{"code":...,"message":...}}`.
 */
export const ADMIN_ERRORS = {
  ADMIN_E_NOT_FOUND: { status: 404, message: 'no such endpoint' },
  ADMIN_E_NOT_READY: { status: 503, message: 'not ready' },
  ADMIN_E_INTERNAL: { status: 500, message: 'internal error' },
  ADMIN_E_NOT_CLUSTERED: { status: 404, message: 'not a cluster node' },
  ADMIN_E_NO_RING: { status: 404, message: 'no ring yet' },
  ADMIN_E_RING_INVALID: { status: 400, message: 'invalid ring document' },
  ADMIN_E_RING_REFUSED: { status: 409, message: 'ring refused' },
} as const;

export type AdminErrorCode = keyof typeof ADMIN_ERRORS;

/** The JSON body of an error reply. */
export function errorBody(
  code: AdminErrorCode,
  detail?: string,
): { error: { code: AdminErrorCode; message: string } } {
  const message = ADMIN_ERRORS[code].message + (detail === undefined ? '' : `: ${detail}`);
  return { error: { code, message } };
}

/** Answers every unmatched route with ADMIN_E_NOT_FOUND. */
export const notFound: RequestHandler = (req, res) => {
  res.status(404).json(errorBody('ADMIN_E_NOT_FOUND', `${req.method} ${req.path}`));
};

/** Logs an unexpected error and answers ADMIN_E_INTERNAL without leaking its details. */
export function internalError(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    logger.error('admin request failed', { path: req.path, error });
    if (res.headersSent) return;
    res.status(500).json(errorBody('ADMIN_E_INTERNAL'));
  };
}
