import express from 'express';
import type { Express } from 'express';
import type { Registry } from 'prom-client';
import { internalError, notFound } from '../../admin/http-errors.ts';
import { serializeRingDocument } from '../../cluster/ring-document.ts';
import { createAdminBase } from '../../platform/admin-app.ts';
import type { Logger } from '../../util/logger.ts';
import type { Mirrors } from '../mirror/mirrors.ts';
import type { RingHolder, RingOutcome } from '../ring/ring-holder.ts';

/**
 * The gateway's admin HTTP app: Prometheus metrics, probes, and the ring (GET the one in use, PUT
 * a new one). Built from explicit dependencies, so tests can run several side by side.
 */
export interface GatewayAdminDeps {
  readonly metricsRegistry: Registry;
  /** Why the gateway is not ready, or undefined when it is. */
  readonly notReady: () => string | undefined;
  readonly ring: RingHolder;
  /** Mirror mode's pools (GET /v1/mirror); undefined when off. */
  readonly mirrors?: Mirrors | undefined;
  readonly logger: Logger;
}

/** The admin API's own error codes (bodies are `{"error":{"code":...,"message":...}}`). */
export const GATEWAY_ADMIN_ERRORS = {
  GATEWAY_E_NOT_READY: 503,
  GATEWAY_E_NO_RING: 404,
  GATEWAY_E_RING_INVALID: 400,
  GATEWAY_E_RING_REFUSED: 409,
  GATEWAY_E_NO_MIRRORS: 404,
} as const;

type Code = keyof typeof GATEWAY_ADMIN_ERRORS;

function error(code: Code, message: string, extra: Record<string, unknown> = {}): object {
  return { error: { code, message, ...extra } };
}

/** The largest ring document accepted over HTTP (4096 shards of overrides fit easily). */
const MAX_RING_BYTES = '8mb';

export function createGatewayAdminApp(deps: GatewayAdminDeps): Express {
  const app = createAdminBase(deps.metricsRegistry);

  app.get('/readyz', (_req, res) => {
    const why = deps.notReady();
    if (why === undefined) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'not ready', ...error('GATEWAY_E_NOT_READY', why) });
  });

  // Mirror mode: per-pool p50/p99 round trips, requests, errors and in-flight counts.
  app.get('/v1/mirror', (_req, res) => {
    if (deps.mirrors === undefined) {
      res.status(404).json(error('GATEWAY_E_NO_MIRRORS', 'mirror mode is off (see --mirror)'));
      return;
    }
    res.json(deps.mirrors.report());
  });

  app.get('/v1/ring', (_req, res) => {
    const ring = deps.ring.ring;
    if (ring === undefined) {
      res.status(404).json(error('GATEWAY_E_NO_RING', 'no ring loaded yet'));
      return;
    }
    res.type('application/json').send(serializeRingDocument(ring));
  });

  // The body is the document's text, whatever the content type: it is parsed as a ring, strictly.
  app.put('/v1/ring', express.text({ type: () => true, limit: MAX_RING_BYTES }), (req, res) => {
    const text = typeof req.body === 'string' ? req.body : '';
    const outcome: RingOutcome = deps.ring.offerText(text, 'PUT /v1/ring');
    if (outcome.kind === 'applied' || outcome.kind === 'same') {
      res.json({ applied: outcome.kind === 'applied', epoch: outcome.epoch });
    } else if (outcome.reason === 'invalid') {
      res.status(400).json(
        error('GATEWAY_E_RING_INVALID', 'not a valid ring document', {
          problems: outcome.problems,
        }),
      );
    } else {
      res.status(409).json(
        error('GATEWAY_E_RING_REFUSED', `ring refused: ${outcome.reason}`, {
          reason: outcome.reason,
          problems: outcome.problems,
        }),
      );
    }
  });

  app.use(notFound);
  app.use(internalError(deps.logger));
  return app;
}
