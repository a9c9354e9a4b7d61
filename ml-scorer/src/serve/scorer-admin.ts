/**
 * The scorer's admin HTTP app (express): Prometheus metrics, Kubernetes probes, a JSON status,
 * and `PUT /v1/model` to install a model (the body is the ONNX bytes). Built from explicit
 * dependencies, like the node's admin app (node/src/admin/create-admin-app.ts), whose error body
 * shape `{"error":{"code":...,"message":...}}` it keeps.
 */
import express from 'express';
import type { ErrorRequestHandler, Express } from 'express';
import type { Registry } from 'prom-client';
import { createAdminBase } from '../../../node/src/platform/admin-app.ts';
import type { Logger } from '../../../node/src/util/logger.ts';
import type { InstalledModel } from './model-slot.ts';
import { ModelError } from './onnx-session.ts';
import type { ScorerStatus } from './scorer-core.ts';

/** The largest model upload accepted. */
export const MAX_MODEL_BYTES = 64 * 1024 * 1024;

export interface ScorerAdminDeps {
  readonly registry: Registry;
  readonly ready: () => boolean;
  readonly status: () => ScorerStatus;
  /** Installs ONNX bytes; rejects with a ModelError when they are refused. */
  readonly installModel: (onnx: Uint8Array) => Promise<InstalledModel>;
  readonly config: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
}

type ErrorCode =
  'ADMIN_E_NOT_FOUND' | 'ADMIN_E_NOT_READY' | 'ADMIN_E_INTERNAL' | 'ADMIN_E_BAD_BODY';

const errorBody = (code: ErrorCode | ModelError['code'], message: string): object => ({
  error: { code, message },
});

export function createScorerAdminApp(deps: ScorerAdminDeps): Express {
  const app = createAdminBase(deps.registry);

  // Ready once the ports are up: a scorer without a model is useful (it collects samples, and
  // nodes fall back to their base policy on model version 0).
  app.get('/readyz', (_req, res) => {
    if (deps.ready()) res.json({ status: 'ready' });
    else res.status(503).json(errorBody('ADMIN_E_NOT_READY', 'not ready'));
  });

  app.get('/v1/status', (_req, res) => {
    res.json({ ...deps.status(), config: deps.config });
  });

  app.put(
    '/v1/model',
    express.raw({ type: () => true, limit: MAX_MODEL_BYTES }),
    async (req, res) => {
      const body: unknown = req.body;
      if (!(body instanceof Uint8Array) || body.byteLength === 0) {
        res.status(400).json(errorBody('ADMIN_E_BAD_BODY', 'the body must be the ONNX model'));
        return;
      }
      try {
        const installed = await deps.installModel(body);
        res.json({ version: installed.version, installedAtMs: installed.installedAtMs });
      } catch (error) {
        if (!(error instanceof ModelError)) throw error;
        deps.logger.warn('uploaded model refused, the previous one stays', { error });
        res.status(422).json(errorBody(error.code, error.message));
      }
    },
  );

  app.use((req, res) => {
    res
      .status(404)
      .json(errorBody('ADMIN_E_NOT_FOUND', `no such endpoint: ${req.method} ${req.path}`));
  });
  const internal: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // express.raw's own refusals (413 too large, 400 bad encoding).
      res.status(status).json(errorBody('ADMIN_E_BAD_BODY', (error as Error).message));
      return;
    }
    deps.logger.error('admin request failed', { path: req.path, error });
    if (!res.headersSent) res.status(500).json(errorBody('ADMIN_E_INTERNAL', 'internal error'));
  };
  app.use(internal);
  return app;
}
