import type { Express } from 'express';
import type { Registry } from 'prom-client';
import type { NodeStats } from '../metrics/node-stats.ts';
import { createAdminBase } from '../platform/admin-app.ts';
import type { Logger } from '../util/logger.ts';
import { addClusterRoutes } from './cluster-routes.ts';
import type { ClusterAdmin } from './cluster-routes.ts';
import { errorBody, internalError, notFound } from './http-errors.ts';
import type { ReadinessState } from './readiness.ts';

/**
 * The admin HTTP app: Prometheus metrics, Kubernetes probes and a JSON stats endpoint. Built from
 * explicit dependencies so that a test can run several apps side by side, each with its own
 * Registry. The gRPC and RESP ports carry data; this one carries no data and needs no password.
 */
export interface AdminAppDeps {
  readonly metricsRegistry: Registry;
  readonly readiness: { readonly state: ReadinessState };
  /** A fresh snapshot for /v1/stats. */
  readonly stats: () => NodeStats;
  /** The configuration with secrets redacted, shown under `config` in /v1/stats. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  /** A cluster node's ring, migrations and load (cluster-routes.ts); absent when standalone. */
  readonly cluster?: ClusterAdmin | undefined;
}

export function createAdminApp(deps: AdminAppDeps): Express {
  const app = createAdminBase(deps.metricsRegistry);

  app.get('/readyz', (_req, res) => {
    const state = deps.readiness.state;
    if (state === 'ready') res.json({ status: 'ready' });
    else res.status(503).json({ status: state, ...errorBody('ADMIN_E_NOT_READY', state) });
  });

  app.get('/v1/stats', (_req, res) => {
    res.json({ ...deps.stats(), config: deps.config });
  });

  addClusterRoutes(app, deps.cluster);

  app.use(notFound);
  app.use(internalError(deps.logger));
  return app;
}
