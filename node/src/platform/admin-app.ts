/**
 * What every admin port of ours (the node's, the gateway's, the scorer service's) serves before
 * its own routes: Prometheus metrics from the process's Registry and the liveness probe.
 */
import express from 'express';
import type { Express } from 'express';
import type { Registry } from 'prom-client';

/** An express app with GET /metrics (from `registry`) and GET /healthz. */
export function createAdminBase(registry: Registry): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/metrics', async (_req, res) => {
    const body = await registry.metrics();
    res.set('Content-Type', registry.contentType).send(body);
  });

  // Liveness: answering at all is the signal. It must not depend on the store, the disk or the
  // model, or a slow dependency would get a healthy process restarted.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return app;
}
